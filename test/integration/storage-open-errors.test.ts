/**
 * Issue 14, agent item 4: only corruption moves a store aside. A full disk at start (a real tmpfs,
 * filled) must leave a healthy ledger in place and make the agent exit for systemd to retry; a store that
 * was moved aside is reported as `storage.corrupt` even when the run that moved it died first.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { Ledger } from "../../agent/ledger.js";
import { AgentProcess, tempDir, writeConfig } from "../support/agent-process.js";
import { Collector } from "../support/collector.js";
import { PrivateMosquitto } from "../support/mosquitto.js";
import { run } from "../support/run.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function config(dir: string, state: string, url: string, id: string) {
  return writeConfig(dir, {
    station: { id },
    mqtt: { url, topicRoot: "cctns/test", keepalive: 5, reconnect: { minMs: 200, maxMs: 1000 } },
    storage: { dir: state, maxBytes: 64 * 1024 },
    ledger: { heartbeatMs: 500 },
    api: { enabled: false },
    clock: { assumeSynced: true },
    log: { level: "warn" },
  });
}

const runs = (state: string) => {
  const db = new Database(join(state, "ledger.db"), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) n FROM runs").get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe("store open errors", () => {
  it("a full disk at start keeps the ledger where it is and exits non-zero; the next start uses it", async () => {
    const dir = tempDir();
    const state = join(dir, "state");
    mkdirSync(state);
    expect((await run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", state])).code).toBe(0);
    cleanups.push(() => run("umount", ["-l", state]));
    const broker = await PrivateMosquitto.start();
    cleanups.push(() => broker.stop());
    const cfg = config(dir, state, broker.url, "PS-FULLDISK");

    const first = new AgentProcess(cfg);
    cleanups.push(() => first.kill());
    first.start();
    const col = await Collector.connect(broker.url, "cctns/test/PS-FULLDISK/#");
    cleanups.push(() => col.end());
    await col.waitFor((m) => m.some((x) => x.payload.type === "agent.started"), 20_000, "first run");
    expect(await first.kill("SIGTERM")).toBe(0);
    expect(runs(state)).toBe(1);

    // Fill the filesystem to the last block.
    const dd = await run("dd", ["if=/dev/zero", `of=${join(state, "filler")}`, "bs=4k"]);
    expect(dd.stderr).toMatch(/No space left on device/);
    const second = new AgentProcess(cfg);
    cleanups.push(() => second.kill());
    second.start();
    expect(await second.exited()).toBe(1);
    expect(second.output).toMatch(/could not start/);
    expect(readdirSync(state).filter((f) => f.includes("corrupt"))).toEqual([]);

    rmSync(join(state, "filler"));
    const third = new AgentProcess(cfg);
    cleanups.push(() => third.kill());
    third.start();
    await col.waitFor(
      (m) => m.filter((x) => x.payload.type === "agent.started").length >= 2,
      20_000,
      "third run",
    );
    expect(await third.kill("SIGTERM")).toBe(0);
    expect(runs(state)).toBe(2); // the first run's history survived
    expect(col.messages.some((x) => x.payload.type === "storage.corrupt")).toBe(false);
  });

  it("reports a store moved aside by a run that died before reporting it", async () => {
    const dir = tempDir();
    const state = join(dir, "state");
    mkdirSync(state);
    writeFileSync(join(state, "ledger.db"), Buffer.alloc(8192, 0x5a));
    // The run that finds the corruption ends before it sends anything (kill -9, power cut).
    const dying = new Ledger(state);
    expect(dying.movedAside?.to).toContain("ledger.db.corrupt-");
    dying.close();
    expect(existsSync(join(state, "ledger.db.moved-aside"))).toBe(true);

    const broker = await PrivateMosquitto.start();
    cleanups.push(() => broker.stop());
    const col = await Collector.connect(broker.url, "cctns/test/PS-MARKER/#");
    cleanups.push(() => col.end());
    const agent = new AgentProcess(config(dir, state, broker.url, "PS-MARKER"));
    cleanups.push(() => agent.kill());
    agent.start();
    await col.waitFor(
      (m) => m.some((x) => x.payload.type === "storage.corrupt"),
      20_000,
      "storage.corrupt event",
    );
    const ev = col.messages.find((x) => x.payload.type === "storage.corrupt")!.payload.data as {
      store: string;
      movedTo: string;
    };
    expect(ev).toMatchObject({ store: "ledger", movedTo: dying.movedAside!.to });
    expect(existsSync(join(state, "ledger.db.moved-aside"))).toBe(false);
    expect(await agent.kill("SIGTERM")).toBe(0);
  });
});
