import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readFragment, type StoredFragment } from "../../config/fragments.js";
import { loadConfig, parseConfigText } from "../../config/load.js";
import { ConfigApplier, fragmentSha256 } from "../../agent/fleet/config-apply.js";

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "config-apply-"));
  const path = join(dir, "config.yaml");
  writeFileSync(path, `station:\n  id: PS-1\nstorage:\n  dir: ${dir}\nmqtt:\n  keepalive: 45\n`);
  let now = 1_000;
  // What the agent does: load its own file with the candidate fragment in place of the stored one.
  const loadWith = (fragment: StoredFragment) => loadConfig(path, {}, { fragment });
  const applier = new ConfigApplier(dir, loadWith, () => now, 60_000);
  const req = (version: string, settings: Record<string, unknown>) => ({
    id: `cmd-${version}`,
    version,
    settings,
    sha256: fragmentSha256(settings),
  });
  return { dir, path, applier, req, at: (t: number) => (now = t) };
}

describe("config-apply on the station", () => {
  it("stages a fragment, confirms it once healthy, and it stays", () => {
    const s = setup();
    const staged = s.applier.stage(s.req("v1", { mqtt: { url: "mqtt://10.0.0.9:1883", keepalive: 10 } }));
    expect(staged.keptLocal).toEqual(["mqtt.keepalive"]);
    expect(loadConfig(s.path, {}).config.mqtt.url).toBe("mqtt://10.0.0.9:1883");
    const start = s.applier.atStart();
    expect(start).toMatchObject({ confirming: true, version: "v1", deadlineMs: 61_000 });
    expect(s.applier.confirm()).toEqual({ kind: "applied", id: "cmd-v1", version: "v1" });
    expect(s.applier.atStart()).toEqual({ confirming: false });
    expect(readFragment(s.dir)?.version).toBe("v1");
  });

  it("rolls back to the previous fragment and reports it after the restart", () => {
    const s = setup();
    s.applier.stage(s.req("v1", { mqtt: { url: "mqtt://10.0.0.9:1883" } }));
    s.applier.atStart();
    s.applier.confirm();
    s.applier.stage(s.req("v2", { mqtt: { url: "mqtt://10.0.0.66:1883" } }));
    s.applier.atStart();
    const out = s.applier.rollBack("no MQTT session within 60 s");
    expect(out).toEqual({
      kind: "rolled-back",
      id: "cmd-v2",
      version: "v2",
      reason: "no MQTT session within 60 s",
    });
    expect(loadConfig(s.path, {}).config.mqtt.url).toBe("mqtt://10.0.0.9:1883");
    expect(s.applier.takeReportedOutcome()).toEqual(out);
    expect(s.applier.takeReportedOutcome()).toBeUndefined();
  });

  it("with no previous fragment, a rollback leaves the local file alone in charge", () => {
    const s = setup();
    s.applier.stage(s.req("v1", { mqtt: { url: "mqtt://10.0.0.66:1883" } }));
    s.applier.rollBack("broken");
    expect(loadConfig(s.path, {}).config.mqtt.url).toBe("mqtt://127.0.0.1:1883");
    expect(loadConfig(s.path, {}).fragment).toBeUndefined();
  });

  it("undoes a fragment that keeps crashing the agent at start", () => {
    const s = setup();
    s.applier.stage(s.req("v1", { log: { level: "debug" } }));
    for (let i = 0; i < 3; i++) expect(s.applier.atStart()).toMatchObject({ confirming: true });
    expect(s.applier.atStart()).toEqual({ undo: expect.stringMatching(/restarted 3 times/) });
  });

  it("refuses a wrong hash, a pinned key or settings that would be invalid, and changes nothing", () => {
    const s = setup();
    const before = readdirSync(s.dir).sort();
    const good = s.req("v1", { mqtt: { keepalive: 20 } });
    expect(() => s.applier.stage({ ...good, sha256: "0".repeat(64) })).toThrow(/sha256/);
    expect(() => s.applier.stage(s.req("v2", { station: { id: "PS-9" } }))).toThrow(
      /station\.id can only be set/,
    );
    expect(() => s.applier.stage(s.req("v3", { mqtt: { inflight: 0 } }))).toThrow(/invalid: mqtt\.inflight/);
    expect(readdirSync(s.dir).sort()).toEqual(before);
    expect(existsSync(join(s.dir, "config.d/noc.yaml"))).toBe(false);
    expect(parseConfigText(`station:\n  id: PS-1\n`, "x").config.station.id).toBe("PS-1");
  });

  it("refuses a second apply while one is on probation", () => {
    const s = setup();
    s.applier.stage(s.req("v1", { mqtt: { keepalive: 20 } }));
    expect(() => s.applier.stage(s.req("v2", { mqtt: { keepalive: 25 } }))).toThrow(/still being confirmed/);
  });
});
