/**
 * The real station-noc process and a real SIGHUP: a rules file made bad is refused with a clear error
 * naming the file and the mistake, the process lives on with the last good rules; a good file and
 * SIGHUP put the new rules in effect. The file keeps its modification time through each edit, so the
 * NOC's file watcher (which looks at it) sees nothing: what reloads is the signal. No broker needed.
 */
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, expect, it } from "vitest";
import { eventually, freePort } from "../support/mosquitto.js";
import { NocProcess } from "../support/noc-process.js";

const dir = mkdtempSync(join(tmpdir(), "noc-sighup-"));
const file = join(dir, "alerts.yaml");
/** Whole seconds, so that setting it again gives the watcher exactly the same mtimeMs. */
const MTIME = Math.floor(Date.now() / 1000) - 60;
let noc: NocProcess | undefined;

afterAll(async () => {
  await noc?.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes the rules and puts the modification time back: invisible to the watcher. */
function writeUnseen(text: string): void {
  writeFileSync(file, text);
  utimesSync(file, MTIME, MTIME);
  expect(statSync(file).mtimeMs).toBe(MTIME * 1000);
}

interface LogLine {
  msg: string;
  trigger?: string;
  file?: string;
  err?: string;
  rules?: number;
}
const logLines = (): LogLine[] =>
  noc!.output
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as LogLine);

const rules = async () =>
  (await noc!.api<{ loadedAt: string; rules: { name: string }[] }>("alerts/rules"))?.rules.map((r) => r.name);

it("SIGHUP with a bad file keeps the last good rules and the process; with a good one, takes it", async () => {
  writeUnseen("rules:\n  - { name: dark, kind: station-dark, for: 5m }\n");
  noc = new NocProcess([
    ...["--mqtt-url", `mqtt://127.0.0.1:${await freePort()}`, "--storage", join(dir, "noc.db")],
    ...["--alerts", file, "--log-level", "info"],
  ]);
  await noc.start();
  await eventually(async () => (await rules())?.join() === "dark", 60_000, 200);
  const pid = noc.proc!.pid!;

  writeUnseen("rules:\n  - { name: dark, kind: station-dark, for: 5m, causes: [flood] }\n");
  process.kill(pid, "SIGHUP");
  const refused = await eventually(
    () => logLines().find((l) => l.msg === "alert rules not reloaded; the last good rules stay"),
    15_000,
    100,
  );
  expect(refused).toMatchObject({ trigger: "SIGHUP", file });
  // The mistake with the file and its path inside it.
  expect(refused.err).toContain(`${file}: rules.0.causes.0`);
  expect(noc.proc!.exitCode).toBeNull();
  expect(noc.proc!.signalCode).toBeNull();
  expect(await rules()).toEqual(["dark"]);

  writeUnseen(
    "rules:\n  - { name: dark, kind: station-dark, for: 5m }\n  - { name: ups, kind: on-battery }\n",
  );
  // Over two of the watcher's 2 s looks: it has not reloaded (the signal below is what does).
  await sleep(4500);
  expect(await rules()).toEqual(["dark"]);
  process.kill(pid, "SIGHUP");
  await eventually(async () => (await rules())?.join() === "dark,ups", 15_000, 100);
  // The log line reaches us through the process's stdout pipe, possibly after the API answered.
  await eventually(() => logLines().some((l) => l.msg === "alert rules reloaded"), 15_000, 100);
  expect(logLines().filter((l) => l.msg === "alert rules reloaded")).toEqual([
    expect.objectContaining({ trigger: "SIGHUP", file, rules: 2 }),
  ]);
  expect(logLines().some((l) => l.trigger === "file change")).toBe(false);
  expect(noc.proc!.exitCode).toBeNull();
}, 120_000);
