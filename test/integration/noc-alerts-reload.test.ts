/**
 * The rules file at start and on reload: a bad file stops the start with the file and the path of the
 * mistake; a bad edit later is refused and the last good rules stay; a good edit is picked up when the
 * file changes (no signal needed). No broker: the NOC serves and evaluates without one.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { defaultOptions, NocApp } from "../../noc/app.js";
import { eventually, freePort } from "../support/mosquitto.js";

const dir = mkdtempSync(join(tmpdir(), "noc-alerts-reload-"));
const file = join(dir, "alerts.yaml");
const errors: string[] = [];
const log = {
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  error: (o: { err?: string }) => errors.push(o.err ?? ""),
} as never;
let noc: NocApp | undefined;
afterAll(async () => {
  await noc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const options = async () =>
  defaultOptions({
    mqttUrl: `mqtt://127.0.0.1:${await freePort()}`,
    storage: join(dir, "noc.db"),
    httpPort: 0,
    alertsFile: file,
  });

it("refuses a bad file at start, keeps the last good rules on a bad edit, takes a good edit", async () => {
  writeFileSync(file, "rules:\n  - { name: dark, kind: station-dark, for: soon }\n");
  expect(() => new NocApp({ ...defaultOptions(), alertsFile: file }, { log })).toThrow(
    `${file}: rules.0.for: "soon" is not a duration`,
  );

  writeFileSync(file, "rules:\n  - { name: dark, kind: station-dark, for: 5m }\n");
  noc = new NocApp(await options(), { log });
  await noc.start();
  expect(noc.alerts.config.rules.map((r) => r.name)).toEqual(["dark"]);

  writeFileSync(file, "rules:\n  - { name: dark, kind: station-dark, for: 5m, causes: [flood] }\n");
  expect(noc.reloadAlerts()).toBe(false); // what SIGHUP calls
  expect(errors.at(-1)).toMatch(/rules\.0\.causes\.0/);
  expect(noc.alerts.config.rules.map((r) => r.name)).toEqual(["dark"]);

  writeFileSync(
    file,
    "rules:\n  - { name: dark, kind: station-dark, for: 5m }\n  - { name: ups, kind: on-battery }\n",
  );
  await eventually(() => noc!.alerts.config.rules.length === 2, 15_000, 200);
  expect(noc.alerts.config.rules.map((r) => r.name)).toEqual(["dark", "ups"]);
}, 60_000);
