/**
 * `npm start` (issue 19, items 8 and 9): the broker and the NOC outlive the agent, which runs as a child
 * process the keys stop (s), kill (k) and restart (r); a test slip is printed at start; `c` writes a
 * fingerprint PNG to a file and says where. The real demo script, the real agent, real processes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, tempDir } from "../support/agent-process.js";
import { eventually } from "../support/mosquitto.js";

const procs: ChildProcess[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) if (p.exitCode === null) p.kill("SIGKILL");
});

function spawnLogged(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const proc = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  procs.push(proc);
  let out = "";
  proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (out += d.toString()));
  return { proc, out: () => out };
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

describe("npm start", () => {
  it("keeps broker and NOC up while the agent is stopped, killed and restarted", async () => {
    const dir = join(tempDir("demo-"), "demo");
    const demo = spawnLogged(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
      DEMO_STATE_DIR: dir,
      DEMO_NOC_PORT: "0",
    });
    await eventually(() => demo.out().includes("Keys: s stop"), 120_000, 200);
    expect(demo.out()).toMatch(/test slip printed: open /);
    expect(readFileSync(join(dir, "printer-paper.png")).subarray(0, 4)).toEqual(PNG);
    const brokerUrl = /Broker: +(mqtt:\/\/127\.0\.0\.1:\d+)/.exec(demo.out())![1]!;
    const nocUrl = /NOC dashboard: +(http:\/\/\S+)/.exec(demo.out())![1]!;

    // What the station says, seen from outside the demo: the broker must outlive the agent.
    const sub = spawnLogged("mosquitto_sub", [
      "-L",
      `${brokerUrl}/cctns/demo/DEMO-0001/state`,
      "-v",
      "-V",
      "mqttv311",
    ]);
    await eventually(() => sub.out().includes('"online":true'), 60_000, 200);

    demo.proc.stdin.write("k");
    await eventually(() => sub.out().includes('"cause":"connection-lost"'), 30_000, 200);
    expect(demo.out()).toMatch(/station agent ended \(SIGKILL\)/);
    expect((await fetch(nocUrl)).status).toBeLessThan(500); // the dashboard is still there

    const before = sub.out().split('"online":true').length;
    demo.proc.stdin.write("r");
    await eventually(() => sub.out().split('"online":true').length > before, 60_000, 200);

    demo.proc.stdin.write("s");
    await eventually(() => sub.out().includes('"cause":"shutdown"'), 30_000, 200);
    demo.proc.stdin.write("r");
    await eventually(() => sub.out().split('"online":true').length > before + 1, 60_000, 200);

    demo.proc.stdin.write("c");
    await eventually(() => demo.out().includes("fingerprint image written to"), 60_000, 200).catch(() => {
      throw new Error(`no fingerprint written:\n${demo.out()}`);
    });
    const png = join(dir, "fingerprint.png");
    expect(existsSync(png) && statSync(png).size).toBeGreaterThan(1000);
    expect(readFileSync(png).subarray(0, 4)).toEqual(PNG);

    const exited = new Promise<number | null>((r) => demo.proc.once("exit", (c) => r(c)));
    demo.proc.stdin.write("q");
    expect(await exited).toBe(0);
  }, 300_000);
});
