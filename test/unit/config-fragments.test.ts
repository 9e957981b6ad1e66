import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localOverrides, mergeUnderLocal, pinnedKeyIn } from "../../config/fragments.js";
import { ConfigError, loadConfig } from "../../config/load.js";

function station(localYaml: (dir: string) => string, fragment?: string): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "fragments-"));
  const path = join(dir, "config.yaml");
  writeFileSync(path, localYaml(dir));
  if (fragment !== undefined) {
    mkdirSync(join(dir, "config.d"));
    writeFileSync(join(dir, "config.d/noc.yaml"), fragment);
  }
  return { path, dir };
}

const local = (dir: string) => `station:\n  id: PS-1\nstorage:\n  dir: ${dir}\nmqtt:\n  keepalive: 45\n`;

describe("config fragments from the NOC", () => {
  it("merge under the local file: local keys win, lists are taken whole", () => {
    expect(
      mergeUnderLocal(
        { mqtt: { url: "mqtts://noc.example.in", keepalive: 20 }, links: [{ name: "a" }, { name: "b" }] },
        { mqtt: { keepalive: 45 }, links: [{ name: "local" }] },
      ),
    ).toEqual({ mqtt: { url: "mqtts://noc.example.in", keepalive: 45 }, links: [{ name: "local" }] });
    expect(localOverrides({ mqtt: { url: "x", keepalive: 20 } }, { mqtt: { keepalive: 45 } })).toEqual([
      "mqtt.keepalive",
    ]);
    expect(pinnedKeyIn({ station: { id: "OTHER" } })).toBe("station.id");
    expect(pinnedKeyIn({ station: { district: "X" } })).toBeUndefined();
  });

  it("loadConfig applies a stored fragment and says which keys stayed local", () => {
    const s = station(
      local,
      "version: '2026-12-04.1'\nsha256: abc\nsettings:\n  mqtt:\n    url: mqtt://10.20.0.5:1883\n    keepalive: 20\n",
    );
    const l = loadConfig(s.path, {});
    expect(l.config.mqtt.url).toBe("mqtt://10.20.0.5:1883");
    expect(l.config.mqtt.keepalive).toBe(45);
    expect(l.fragment).toEqual({ version: "2026-12-04.1", sha256: "abc", keptLocal: ["mqtt.keepalive"] });
    const without = loadConfig(s.path, {}, { fragments: false });
    expect(without.config.mqtt.url).toBe("mqtt://127.0.0.1:1883");
    expect(without.hash).not.toBe(l.hash);
  });

  it("runs on the local file alone when the fragment is broken, pinned or makes the settings invalid", () => {
    for (const [fragment, why] of [
      ["version: 1\n", /not a config fragment/],
      ["version: v\nsha256: x\nsettings:\n  station:\n    id: PS-2\n", /station\.id/],
      ["version: v\nsha256: x\nsettings:\n  mqtt:\n    inflight: 0\n", /invalid: mqtt\.inflight/],
      ["version: v\nsha256: x\nsettings: [\n", /.+/],
    ] as const) {
      const s = station(local, fragment);
      const l = loadConfig(s.path, {});
      expect(l.config.station.id).toBe("PS-1");
      expect(l.config.mqtt.keepalive).toBe(45);
      expect(l.fragment && "ignored" in l.fragment ? l.fragment.ignored : "").toMatch(why);
    }
  });

  it("still refuses an invalid local file, fragment or not", () => {
    const s = station(
      (dir) => `station:\n  id: PS-1\nstorage:\n  dir: ${dir}\nmqtt:\n  keepalive: 1\n`,
      "version: v\nsha256: x\nsettings:\n  mqtt:\n    keepalive: 30\n",
    );
    expect(() => loadConfig(s.path, {})).toThrow(ConfigError);
  });
});
