/**
 * `station-agent doctor` in Hindi (issue 18): the real checks and printer of its report, with the PC's
 * probes handed in (disk figures, SMART, time sync) the way the NOC diagnose tests do. A healthy station,
 * and one whose data disk is 96 % full and whose clock is not synchronised. Snapshots show a changed word
 * in review; the leftover check fails on any English a Hindi reader would see.
 */
import { describe, expect, it } from "vitest";
import { formatDoctor, runDoctor, type DoctorOptions } from "../../agent/cli/devices.js";
import type { HostSnapshot } from "../../agent/host/host-health.js";
import type { FilesystemUse } from "../../agent/host/host-system.js";
import { translator } from "../../agent/i18n/index.js";
import { ConfigSchema } from "../../config/schema.js";
import { loadHidBackend } from "../../drivers/transport/hid.js";
import { englishLeftovers } from "../support/hindi-words.js";

const config = ConfigSchema.parse({
  station: { id: "HR-PKL-0007", name: "Sector 5" },
  mqtt: { url: "mqtts://noc.hr.example:8883" },
  commands: { nocPublicKey: "/etc/station-agent/noc.pub.pem" },
  api: { socket: "/run/station-agent/api.sock", socketGroup: "root" },
  links: [
    { name: "bsnl", interface: "eth0", role: "primary" },
    { name: "jio", interface: "wwan0", role: "backup" },
  ],
  devices: [
    { id: "fp1", kind: "fingerprint", driver: "r30x", port: "/dev/ttyUSB0" },
    { id: "printer1", kind: "printer", port: "/dev/ttyUSB1" },
  ],
});

function disk(mount: string, usePct: number): FilesystemUse {
  return {
    mount,
    device: "/dev/sda1",
    fsType: "ext4",
    sizeBytes: 500e9,
    usedBytes: usePct * 5e9,
    availableBytes: (100 - usePct) * 5e9,
    usePct,
    inodesTotal: 1000,
    inodesFree: 900,
  };
}

const healthyPc: HostSnapshot = {
  facts: null,
  filesystems: [disk("/", 41)],
  memory: null,
  cpuTemperatureC: 52,
  smart: [
    {
      device: "/dev/sda",
      model: "WDC-WD5000",
      serial: null,
      passed: true,
      temperatureC: 35,
      powerOnHours: 9000,
      reallocatedSectors: 0,
      pendingSectors: 0,
      offlineUncorrectable: 0,
      wearPct: null,
      mediaErrors: null,
    },
  ],
  updates: null,
  timeSync: { source: "timesyncd", synchronised: true, offsetMs: 3, server: "time.nic.in" },
};

const serial = (path: string) => ({
  kind: "serial" as const,
  path,
  realPath: path,
  aliases: [],
  ups: false,
  accessible: true,
  source: "sysfs" as const,
});

function deps(pc: HostSnapshot, synced: boolean): DoctorOptions["deps"] {
  return {
    probeBroker: async () => ({
      ok: true,
      detail: "unused: the notes below are worded",
      say: {
        detail: {
          key: "broker.accepted",
          params: {
            where: "noc.hr.example:8883",
            how: { key: "broker.how.verified", params: { protocol: "TLSv1.3" } },
          },
        },
      },
    }),
    clockSynced: async () => ({ synced, how: "timedatectl" }),
    freeBytes: async () => ({ free: 20 * 1024 ** 3, at: "/var/lib/station-agent" }),
    ping: async () => ({ ok: true, detail: { key: "doctor.ping.works", params: { bin: "/usr/bin/ping" } } }),
    loadHid: () =>
      loadHidBackend({
        loader: async () => ({
          devicesAsync: async () => [],
          HIDAsync: { open: () => Promise.reject(new Error("not used")) },
        }),
      }),
    discover: async () => ({ devices: [serial("/dev/ttyUSB0"), serial("/dev/ttyUSB1")], notes: [] }),
    host: async () => pc,
    interfaceExists: () => true,
    now: () => Date.parse("2026-12-04T10:00:00Z"),
  };
}

/** Everything the test hands in that may show as it is: ids, names, paths, models. */
const DATA = [
  "HR-PKL-0007 bsnl jio eth0 wwan0 fp1 printer1 r30x escpos timedatectl timesyncd WDC-WD5000 TLSv1.3",
];

async function hindi(pc: HostSnapshot, synced: boolean): Promise<{ text: string; ok: boolean }> {
  const t = translator("hi");
  const report = await runDoctor({
    config,
    configPath: "/etc/station-agent/config.yaml",
    deps: deps(pc, synced),
    t,
  });
  return { text: formatDoctor(report, t), ok: report.ok };
}

describe("doctor in Hindi", () => {
  it("a healthy station", async () => {
    const { text, ok } = await hindi(healthyPc, true);
    expect(ok).toBe(true);
    expect(text).toMatchSnapshot();
    expect(text).toContain("सारी जाँचें ठीक निकलीं।");
    expect(englishLeftovers(text, DATA)).toEqual([]);
  });

  it("the data disk 96 % full and the clock not synchronised", async () => {
    const sick: HostSnapshot = {
      ...healthyPc,
      filesystems: [disk("/", 96)],
      timeSync: { source: "timesyncd", synchronised: false, offsetMs: null, server: null },
    };
    const { text, ok } = await hindi(sick, false);
    expect(ok).toBe(false);
    expect(text).toMatchSnapshot();
    expect(text).toMatch(/\[ खराबी \] थाने का कंप्यूटर: खराबी: \/ वाली डिस्क \(\/\): 96 % भरी, 20\.0 GB खाली/);
    expect(text).toContain("घड़ी का मिलान (timesyncd): मिली नहीं है");
    expect(text).toMatch(/\[ ध्यान दें \] घड़ी का मिलान: मिली नहीं है \(timedatectl\)/);
    expect(englishLeftovers(text, DATA)).toEqual([]);
  });

  it("the leftover check sees the same report in English, and --json / the NOC reply stay English", async () => {
    const report = await runDoctor({
      config,
      deps: deps({ ...healthyPc, filesystems: [disk("/", 96)] }, false),
    });
    const text = formatDoctor(report);
    expect(englishLeftovers(text, DATA).length).toBeGreaterThan(20);
    expect(report.checks.find((c) => c.id === "pc")).toMatchObject({
      title: "The station PC",
      status: "fail",
      detail: expect.stringMatching(/^PROBLEM: disk holding \/ \(\/\): 96 % full, 20\.0 GB free/),
    });
  });
});
