// @needs mosquitto tzdata fonts-lohit-deva fonts-dejavu-core
/**
 * The agent as a station runs it: the esbuild bundle (dist/station-agent/cli.js) on plain node, not the
 * TypeScript sources. Its drivers are chunks loaded only when the config names a device, and the
 * native addons and wasm stay in node_modules; this proves the pieces still meet at run time.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DeviceState, StatePayload } from "../../contract/index.js";
import { R30xPtyEmulator } from "../../drivers/fingerprint/emulator/pty-emulator.js";
import { serveTcp } from "../../drivers/printer/emulator/serve.js";
import { AgentProcess, ROOT, tempDir, writeConfig } from "../support/agent-process.js";
import { Collector } from "../support/collector.js";
import { PrivateMosquitto } from "../support/mosquitto.js";
import { RECEIPT, virtualPrinter } from "../support/printer.js";
import { builtTree } from "../support/built-tree.js";
import { callLocalApi } from "../../agent/api-client.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("the bundled agent (dist/station-agent)", () => {
  it("reports, drives a printer from its lazily loaded driver chunk, and shuts down cleanly", async () => {
    const tree = await builtTree();
    const broker = await PrivateMosquitto.start();
    cleanups.push(() => broker.stop());
    const printer = await virtualPrinter(576);
    const served = await serveTcp(printer, { port: 0 });
    cleanups.push(() => served.close());
    const dir = tempDir();
    const config = writeConfig(dir, {
      station: { id: "PS-BUNDLE", district: "Test" },
      mqtt: { url: broker.url, topicRoot: "cctns/test", keepalive: 5 },
      storage: { dir: join(dir, "state") },
      metrics: { intervalMs: 1000 },
      clock: { assumeSynced: true },
      log: { level: "warn" },
      devices: [{ id: "printer1", kind: "printer", tcp: `127.0.0.1:${served.port}`, pollIntervalMs: 500 }],
    });
    const col = await Collector.connect(broker.url, "cctns/test/PS-BUNDLE/#");
    cleanups.push(() => col.end());
    const agent = new AgentProcess(config, {}, join(tree, "dist/station-agent/cli.js"));
    cleanups.push(() => agent.kill());
    agent.start();

    await col.waitFor((m) => m.some((x) => x.topic.endsWith("/metrics")), 30_000, "first metrics");
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string })
      .version;
    expect(StatePayload.parse(col.on("/state")[0]!.payload)).toMatchObject({
      online: true,
      station: "PS-BUNDLE",
      agentVersion: version,
    });
    await col.waitFor(
      (m) => m.some((x) => x.topic.endsWith("/device/printer1") && x.payload.health === "ready"),
      20_000,
      "printer ready",
    );
    expect(DeviceState.parse(col.on("/device/printer1").at(-1)!.payload).health).toBe("ready");

    // A slip with Devanagari: harfbuzz's wasm and the system font, loaded from the bundle's chunk.
    const token = readFileSync(join(dir, "state", "api-token"), "utf8").trim();
    const res = await callLocalApi(join(dir, "state", "api.sock"), {
      method: "POST",
      path: "/v1/print/slip",
      token,
      body: { template: "complaint-receipt", data: RECEIPT },
      timeoutMs: 20_000,
    });
    const outcome = res.body as { ok: boolean };
    expect(res.status, JSON.stringify(outcome)).toBe(200);
    expect(outcome.ok).toBe(true);
    expect(printer.bytesReceived).toBeGreaterThan(1000);

    expect(await agent.kill("SIGTERM")).toBe(0);
    expect(await col.offlineState()).toMatchObject({ online: false, cause: "shutdown" });
    expect(col.on("/state").at(-1)!.payload).toMatchObject({ online: false, cause: "shutdown" });
    expect(agent.output).not.toMatch(/Dynamic require|Cannot find module|ERR_MODULE_NOT_FOUND/);
  });

  it("never calls Intl while it runs a full station, answers its API and prints a Devanagari slip", async () => {
    // The first Intl use pages ~7 MB of ICU data in for good: most of what the 80 MB budget has to spare.
    const tripwire = join(ROOT, "test/support/intl-tripwire.mjs");
    // First, that the tripwire itself trips.
    const used = await new Promise<string>((resolve) => {
      const code = 'new Intl.DateTimeFormat("en", { timeZone: "Asia/Kolkata" }); "a".localeCompare("b")';
      const p = spawn(process.execPath, ["--import", tripwire, "-e", code]);
      let err = "";
      p.stderr.on("data", (d: Buffer) => (err += d.toString()));
      p.on("exit", () => resolve(err));
    });
    expect(used).toMatch(/intl-tripwire: Intl.DateTimeFormat/);
    expect(used).toMatch(/intl-tripwire: String.prototype.localeCompare/);

    const tree = await builtTree();
    const broker = await PrivateMosquitto.start();
    cleanups.push(() => broker.stop());
    const scanner = await R30xPtyEmulator.start();
    cleanups.push(() => scanner.stop());
    const served = await serveTcp(await virtualPrinter(576), { port: 0 });
    cleanups.push(() => served.close());
    const dir = tempDir();
    const config = writeConfig(dir, {
      station: { id: "PS-NOINTL", district: "Test" },
      mqtt: { url: broker.url, topicRoot: "cctns/test", keepalive: 5 },
      storage: { dir: join(dir, "state") },
      metrics: { intervalMs: 1000 },
      log: { level: "info" },
      devices: [
        { id: "fp1", kind: "fingerprint", driver: "r30x", port: scanner.hostPath, baud: 57600 },
        { id: "printer1", kind: "printer", tcp: `127.0.0.1:${served.port}`, pollIntervalMs: 500 },
        { id: "ups1", kind: "ups" },
      ],
      links: [
        {
          name: "loop",
          interface: "lo",
          role: "primary",
          targets: [{ role: "datacentre", host: "127.0.0.1", probes: [{ type: "tcp", port: broker.port }] }],
        },
      ],
    });
    const col = await Collector.connect(broker.url, "cctns/test/PS-NOINTL/#");
    cleanups.push(() => col.end());
    const agent = new AgentProcess(
      config,
      { NODE_OPTIONS: `--import=${tripwire}` },
      join(tree, "dist/station-agent/cli.js"),
    );
    cleanups.push(() => agent.kill());
    agent.start();

    const ready = (id: string) => (m: typeof col.messages) =>
      m.some((x) => x.topic.endsWith(`/device/${id}`) && x.payload.health === "ready");
    await col.waitFor(ready("printer1"), 30_000, "printer ready");
    await col.waitFor(ready("fp1"), 30_000, "scanner ready");
    await col.waitFor((m) => m.some((x) => x.topic.endsWith("/link/loop")), 30_000, "link state");
    await col.waitFor((m) => m.some((x) => x.topic.endsWith("/uptime")), 30_000, "uptime");

    for (const path of ["/v1/status", "/v1/links"]) {
      const res = await callLocalApi(join(dir, "state", "api.sock"), { path });
      expect(res.status, path).toBe(200);
    }
    const token = readFileSync(join(dir, "state", "api-token"), "utf8").trim();
    const res = await callLocalApi(join(dir, "state", "api.sock"), {
      method: "POST",
      path: "/v1/print/slip",
      token,
      body: { template: "complaint-receipt", data: RECEIPT },
      timeoutMs: 20_000,
    });
    expect(res.status).toBe(200);

    expect(await agent.kill("SIGTERM")).toBe(0);
    expect(agent.output).not.toMatch(/intl-tripwire/);
  });
});
