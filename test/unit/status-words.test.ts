/** `station-agent status` in plain words (issue 19, item 6): what to do, no jargon, the zone shown. */
import { describe, expect, it } from "vitest";
import type { DeviceState } from "../../contract/index.js";
import { linksFromConfig, type StatusSnapshot } from "../../agent/status.js";
import { renderStatus } from "../../agent/status-text.js";

const now = Date.parse("2026-12-04T10:00:00Z");

function snapshot(extra: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return {
    station: "PS-1",
    name: "Sadar",
    running: true,
    pid: 42,
    version: "0.1.0",
    broker: "mqtts://noc",
    connected: true,
    connectedSince: now - 3600_000,
    lastError: null,
    outbox: { depth: 0, bytes: 0, oldestCreatedMs: null, lastSeq: 9, dropped: { metrics: 0, events: 0 } },
    lastOutage: null,
    uptime: null,
    clockSynced: true,
    links: [],
    devices: [],
    ...extra,
  };
}

const device = (health: DeviceState["health"], kind: DeviceState["kind"] = "fingerprint"): DeviceState => ({
  station: "PS-1",
  device: "fp1",
  kind,
  driver: "r30x",
  health,
  since: new Date(now - 60_000).toISOString(),
  time: new Date(now).toISOString(),
});

describe("status in plain words", () => {
  it("says what to do for an absent scanner", () => {
    const text = renderStatus(snapshot({ devices: [device("absent")] }), { now, utc: true });
    expect(text).toMatch(/fingerprint scanner fp1: NOT CONNECTED/);
    expect(text).toMatch(/What to do: Plug the scanner's USB cable back in/);
  });

  it("gives no advice for a ready device", () => {
    const text = renderStatus(snapshot({ devices: [device("ready", "printer")] }), { now, utc: true });
    expect(text).toMatch(/slip printer fp1: ready/);
    expect(text).not.toMatch(/What to do/);
  });

  it("has no jargon for an unsynchronised clock or a lost connection", () => {
    const text = renderStatus(snapshot({ clockSynced: false, connected: false }), { now, utc: true });
    expect(text).not.toMatch(/marked/);
    expect(text).toMatch(/Clock: not set from the internet yet/);
    expect(text).toMatch(/Nothing is lost/);
  });

  it("names the zone its times are in, and shows them in it", () => {
    const text = renderStatus(snapshot(), { now, timezone: "Asia/Kolkata", utc: true });
    expect(text).toMatch(/since 09:00 \(1 h\)/);
    expect(renderStatus(snapshot(), { now, timezone: "Asia/Kolkata" })).toMatch(
      /Times are station time \(Asia\/Kolkata\)\.$/,
    );
  });

  it("lists configured links when the agent is stopped instead of 'none configured'", () => {
    const links = linksFromConfig(
      "PS-1",
      [
        { name: "bsnl", interface: "eth0", role: "primary" },
        { name: "jio", interface: "wwan0", role: "backup" },
      ],
      "the agent is not running",
      now,
    );
    const text = renderStatus(snapshot({ running: false, links }), { now, utc: true });
    expect(text).not.toMatch(/none configured/);
    expect(text).toMatch(/bsnl \(eth0, primary link\): cannot be checked: the agent is not running\./);
    expect(text).toMatch(/jio \(wwan0, backup link\)/);
  });
});
