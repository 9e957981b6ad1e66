/**
 * `station-agent status` run by station staff (issue 19, items 4 and 5): their user cannot read the
 * settings file, so status asks the running agent over its socket; when it cannot, it says why in plain
 * words. With the agent stopped, the configured links are still listed. Real agent, real `nobody` user.
 */
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AgentProcess, ROOT, runCli, tempDir, writeConfig } from "../support/agent-process.js";
import { run } from "../support/run.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const AUDIO_GID = "29";

function staffStatus(config: string, socket: string, groups: string[], extra: string[] = []) {
  return run("setpriv", [
    "--reuid=nobody",
    "--regid=nogroup",
    ...(groups.length ? [`--groups=${groups.join(",")}`] : ["--clear-groups"]),
    process.execPath,
    "--import",
    "tsx",
    join(ROOT, "agent/cli.ts"),
    "status",
    "--config",
    config,
    "--socket",
    socket,
    ...extra,
  ]);
}

async function waitFor(cond: () => Promise<boolean>, agent: AgentProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await cond()) return;
    if (agent.proc!.exitCode !== null) throw new Error(`agent exited: ${agent.output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`agent never answered: ${agent.output}`);
}

describe("status for station staff", () => {
  it("works without reading the settings file, says why when it cannot, and lists links when stopped", async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const runDir = join(dir, "run");
    mkdirSync(runDir, { mode: 0o755 });
    const socket = join(runDir, "api.sock");
    const config = writeConfig(dir, {
      station: { id: "PS-STAFF", name: "Sadar" },
      mqtt: { url: "mqtt://127.0.0.1:9", keepalive: 5 },
      storage: { dir: join(dir, "state") },
      api: { socket, socketGroup: "audio" },
      clock: { assumeSynced: true },
      links: [
        { name: "bsnl", interface: `sa${process.pid % 100000}a`, role: "primary" },
        { name: "jio", interface: `sa${process.pid % 100000}b`, role: "backup" },
      ],
      log: { level: "warn" },
    });
    chmodSync(config, 0o600); // like 0640 root:station-agent: staff cannot read it

    const agent = new AgentProcess(config);
    cleanups.push(() => agent.kill());
    agent.start();
    await waitFor(async () => (await runCli(["status", "--json", "--config", config])).code === 0, agent);

    const member = await staffStatus(config, socket, [AUDIO_GID]);
    expect(member.stderr).toBe("");
    expect(member.code).toBe(0);
    expect(member.stdout).toMatch(/^Station PS-STAFF \(Sadar\)\nAgent: running/);
    expect(member.stdout).toMatch(/bsnl \(sa\d+a, primary link\)/);

    const outsider = await staffStatus(config, socket, []);
    expect(outsider.code).toBe(69);
    expect(outsider.stderr).not.toMatch(/Invalid configuration/);
    expect(outsider.stderr).toMatch(/not allowed to read it/);
    expect(outsider.stderr).toMatch(/not in the station-api group/);

    await agent.kill("SIGTERM");
    const stopped = await runCli(["status", "--config", config]);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toMatch(/Agent: NOT RUNNING \(stopped at \d\d:\d\d\)/);
    expect(stopped.stdout).not.toMatch(/none configured/);
    expect(stopped.stdout).toMatch(
      /bsnl \(sa\d+a, primary link\): cannot be checked: the agent is not running/,
    );
    expect(stopped.stdout).toMatch(/jio \(sa\d+b, backup link\)/);
    expect(stopped.stdout).toMatch(/Times are station time \(Asia\/Kolkata\)/);

    const staffStopped = await staffStatus(config, socket, [AUDIO_GID]);
    expect(staffStopped.code).toBe(69);
    expect(staffStopped.stderr).toMatch(/probably stopped/);
    expect(staffStopped.stderr).toMatch(/systemctl start station-agent/);
    const hindi = await staffStatus(config, socket, [], ["--lang", "hi"]);
    expect(hindi.code).toBe(69);
    expect(hindi.stderr).toMatch(/^थाने का हाल नहीं दिखा सकते।/);
    expect(hindi.stderr).toMatch(/इस यूज़र को इसे पढ़ने की इजाज़त नहीं है/);
  }, 120_000);
});
