/**
 * `station-agent status` in Hindi for the main states a station is in (issue 18): all well, a link down,
 * on the backup link, the scanner absent, after a power cut. Snapshots, so a changed word is seen in review.
 */
import { describe, expect, it } from "vitest";
import type { DeviceState, LinkState } from "../../contract/index.js";
import type { StatusSnapshot } from "../../agent/status.js";
import { renderStatus } from "../../agent/status-text.js";
import { describeHost, hostNotes } from "../../agent/host/describe.js";
import { DEFAULT_HOST_SETTINGS } from "../../agent/host/host-health.js";
import { englishLeftovers } from "../support/hindi-words.js";

const now = Date.parse("2026-12-04T10:00:00Z");
const iso = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();

const link = (x: Partial<LinkState>): LinkState => ({
  station: "HR-PKL-0007",
  link: "bsnl",
  interface: "eth0",
  role: "primary",
  state: "up",
  since: iso(300),
  active: true,
  time: iso(0),
  figures: {
    windowS: 60,
    sent: 60,
    received: 60,
    lossPct: 0,
    rttMedianMs: 18,
    rttP95Ms: 30,
    jitterMs: 2,
  } as never,
  ...x,
});

const scanner = (health: DeviceState["health"]): DeviceState => ({
  station: "HR-PKL-0007",
  device: "fp1",
  kind: "fingerprint",
  driver: "r30x",
  health,
  since: iso(5),
  time: iso(0),
});

function snapshot(extra: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return {
    station: "HR-PKL-0007",
    name: "थाना सेक्टर 5, पंचकूला",
    running: true,
    pid: 812,
    version: "0.1.0",
    broker: "mqtts://noc.hr",
    connected: true,
    connectedSince: now - 300 * 60_000,
    lastError: null,
    outbox: { depth: 0, bytes: 0, oldestCreatedMs: null, lastSeq: 120, dropped: { metrics: 0, events: 0 } },
    lastOutage: null,
    uptime: null,
    clockSynced: true,
    links: [link({}), link({ link: "jio", interface: "wwan0", role: "backup", active: false })],
    devices: [
      scanner("ready"),
      { ...scanner("ready"), device: "printer1", kind: "printer", driver: "escpos" },
    ],
    ...extra,
  };
}

const hindi = (s: StatusSnapshot) => renderStatus(s, { now, utc: true, lang: "hi" });

describe("status in Hindi", () => {
  it("all well", () => {
    expect(hindi(snapshot())).toMatchSnapshot();
  });

  it("a link down", () => {
    const links = [
      link({ state: "down", since: iso(5), reason: "no carrier", active: false }),
      link({ link: "jio", interface: "wwan0", role: "backup", active: true, since: iso(5) }),
    ];
    const text = hindi(snapshot({ links }));
    expect(text).toMatch(/केबल में सिग्नल नहीं है/);
    expect(text).toMatchSnapshot();
  });

  it("on the backup link, NOC cut off, reports waiting", () => {
    const links = [
      link({
        state: "down",
        since: iso(42),
        reason: "data centre unreachable while gateway answers",
        active: false,
      }),
      link({
        link: "jio",
        interface: "wwan0",
        role: "backup",
        state: "degraded",
        reason: "loss 12.5 %",
        active: true,
        since: iso(40),
      }),
    ];
    const text = hindi(
      snapshot({
        links,
        connected: false,
        lastError: "connect ETIMEDOUT",
        outbox: {
          depth: 125000,
          bytes: 1,
          oldestCreatedMs: now - 42 * 60_000,
          lastSeq: 1,
          dropped: { metrics: 0, events: 0 },
        },
      }),
    );
    expect(text).toMatch(/1,25,000/); // lakh grouping
    expect(text).toMatchSnapshot();
  });

  it("the scanner absent", () => {
    const text = hindi(snapshot({ devices: [scanner("absent")] }));
    expect(text).toMatch(/क्या करें: स्कैनर की USB केबल दोबारा लगाएँ/);
    expect(text).toMatchSnapshot();
  });

  it("after a power cut, agent stopped", () => {
    const text = hindi(
      snapshot({
        running: false,
        connected: false,
        lastRun: { stoppedMs: null, heartbeatMs: now - 20 * 60_000 },
        lastOutage: { start: iso(200), end: iso(170), durationS: 1800, cause: "power", evidence: {} },
        links: [
          link({
            state: "unknown",
            reason: "the agent is not running",
            active: false,
            figures: undefined,
          }),
        ],
        devices: [],
      }),
    );
    expect(text).toMatch(/बिजली गई/);
    expect(text).toMatchSnapshot();
  });

  it("the PC's own problems (disk 96 % full, clock, failing drive) and a printer out of paper", () => {
    const pc = {
      facts: null,
      filesystems: [
        {
          mount: "/",
          device: "/dev/sda1",
          fsType: "ext4",
          sizeBytes: 500e9,
          usedBytes: 480e9,
          availableBytes: 20e9,
          usePct: 96,
          inodesTotal: 1000,
          inodesFree: 900,
        },
      ],
      memory: null,
      cpuTemperatureC: 91,
      smart: [{ device: "/dev/sda", model: "WDC-WD5000", passed: null, reallocatedSectors: 12 } as never],
      updates: { upgradable: 9, security: 3 },
      timeSync: { source: "timesyncd" as const, synchronised: false, offsetMs: null, server: null },
    };
    const notes = hostNotes(pc, DEFAULT_HOST_SETTINGS);
    const printer: DeviceState = {
      ...scanner("faulted"),
      device: "printer1",
      kind: "printer",
      driver: "escpos",
      reason: "paper-out: printer reports paper-out",
    };
    const s = snapshot({ pc: describeHost(pc, DEFAULT_HOST_SETTINGS), pcNotes: notes, devices: [printer] });
    const text = hindi(s);
    expect(text).toMatch(/कंप्यूटर: CCTNS डेटा वाली डिस्क 96 % भर चुकी है \(सिर्फ़ 20\.0 GB खाली\)/);
    expect(text).toMatch(/हार्ड डिस्क WDC-WD5000 खराब हो रही है \(12 खराब सेक्टर\)/);
    expect(text).toMatch(/पर्ची प्रिंटर printer1: काम नहीं कर रहा \(पेपर खत्म\)/);
    expect(text).toMatchSnapshot();
    const data = ["HR-PKL-0007 bsnl jio eth0 wwan0 fp1 printer1 WDC-WD5000 ms"];
    expect(englishLeftovers(text, data)).toEqual([]);
    // The English lines are what an older CLI shows, and what this one falls back to for an unknown note.
    expect(renderStatus(s, { now, utc: true })).toContain("PC: the disk holding the CCTNS data is 96 % full");
    const newer = { ...s, pcNotes: [{ key: "pc.fromTheFuture" }, ...notes.slice(1)] };
    expect(hindi(newer)).toContain("PC: the disk holding the CCTNS data is 96 % full");
    expect(englishLeftovers(hindi(newer), data)).not.toEqual([]);
  });

  it("English stays the default", () => {
    expect(renderStatus(snapshot(), { now, utc: true })).toMatch(/^Station HR-PKL-0007/);
  });
});
