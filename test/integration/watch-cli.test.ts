/**
 * `station-agent watch` (issue 19, item 10): one readable line per message, `--json` for the raw form,
 * and a quiet exit on Ctrl-C. Real Mosquitto, real mosquitto_pub, the real CLI as a child process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/agent-process.js";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";
import { run } from "../support/run.js";

let broker: PrivateMosquitto;
beforeAll(async () => {
  broker = await PrivateMosquitto.start();
});
afterAll(async () => broker.dispose());

const ROOT_TOPIC = `watch${process.pid}`;

function watch(extra: string[] = []): { proc: ChildProcess; out: () => string; err: () => string } {
  const proc = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "agent/cli.ts"),
      "watch",
      "--url",
      broker.url,
      "--root",
      ROOT_TOPIC,
      "--station",
      "PS-W",
      ...extra,
    ],
    { cwd: ROOT, env: { ...process.env, TZ: "Asia/Kolkata" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return { proc, out: () => out, err: () => err };
}

const pub = (topic: string, payload: unknown) =>
  run("mosquitto_pub", [
    "-p",
    String(broker.port),
    "-t",
    `${ROOT_TOPIC}/PS-W/${topic}`,
    "-m",
    JSON.stringify(payload),
  ]);

const event = {
  v: 1,
  station: "PS-W",
  seq: 7,
  time: "2026-12-04T06:30:00.000Z",
  type: "link.down",
  data: {
    link: "bsnl",
    interface: "eth0",
    role: "primary",
    from: "up",
    reason: "no carrier",
    firstFailAt: "2026-12-04T06:29:50.000Z",
    evidence: {},
  },
};

async function exitOf(p: ChildProcess): Promise<number | null> {
  if (p.exitCode !== null) return p.exitCode;
  return new Promise((r) => p.once("exit", (c) => r(c)));
}

describe("station-agent watch", () => {
  it("prints one readable line per message and exits quietly on Ctrl-C", async () => {
    const w = watch();
    await eventually(() => w.err().includes("watching"), 30_000);
    await pub("event", event);
    await pub("state", { online: false, cause: "connection-lost" });
    await eventually(() => w.out().split("\n").length > 2, 15_000);
    const lines = w.out().trim().split("\n");
    expect(lines[0]).toBe(
      "12:00:00 PS-W/event #7: link.down: Link bsnl (eth0, primary) went down: no carrier.",
    );
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d PS-W\/state: OFFLINE \(connection lost\)$/);
    expect(w.out()).not.toMatch(/"evidence"/);
    w.proc.kill("SIGINT");
    expect(await exitOf(w.proc)).toBe(0);
    expect(w.err()).not.toMatch(/disconnected|retrying/);
  }, 60_000);

  it("--json prints the raw payload", async () => {
    const w = watch(["--json"]);
    await eventually(() => w.err().includes("watching"), 30_000);
    await pub("event", event);
    await eventually(() => w.out().includes("\n"), 15_000);
    expect(JSON.parse(w.out().split("\n")[0]!)).toEqual({
      topic: `${ROOT_TOPIC}/PS-W/event`,
      payload: event,
    });
    w.proc.kill("SIGINT");
    expect(await exitOf(w.proc)).toBe(0);
  }, 60_000);
});
