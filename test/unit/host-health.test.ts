import { describe, expect, it } from "vitest";
import { describeHost, filesystemOf, hostChecks } from "../../agent/host/describe.js";
import { englishNote } from "../../agent/i18n/english.js";
import { DEFAULT_HOST_SETTINGS, HostHealth, type HostEvent } from "../../agent/host/host-health.js";
import type { FilesystemUse, HostSystem } from "../../agent/host/host-system.js";
import {
  parseAptSimulation,
  parseChronycTracking,
  parseSmartctlJson,
  parseTimedatectl,
  type SmartReport,
  type TimeSync,
} from "../../agent/host/parse.js";

const smartJson = (passed: boolean, reallocated: number, pending: number) =>
  JSON.stringify({
    json_format_version: [1, 0],
    model_name: "WDC WD5000AAKX-08U6AA0",
    serial_number: "WD-WCC2E1234567",
    smart_status: { passed },
    temperature: { current: 41 },
    power_on_time: { hours: 31_520 },
    ata_smart_attributes: {
      revision: 16,
      table: [
        {
          id: 5,
          name: "Reallocated_Sector_Ct",
          value: 200,
          raw: { value: reallocated, string: String(reallocated) },
        },
        { id: 9, name: "Power_On_Hours", value: 57, raw: { value: 31_520, string: "31520" } },
        {
          id: 197,
          name: "Current_Pending_Sector",
          value: 200,
          raw: { value: pending, string: String(pending) },
        },
        { id: 198, name: "Offline_Uncorrectable", value: 200, raw: { value: 0, string: "0" } },
      ],
    },
  });

describe("host tool output", () => {
  it("reads smartctl's JSON: model, verdict and the sectors that predict failure", () => {
    const r = parseSmartctlJson("/dev/sda", smartJson(true, 8, 2));
    expect(r).toMatchObject({
      model: "WDC WD5000AAKX-08U6AA0",
      passed: true,
      reallocatedSectors: 8,
      pendingSectors: 2,
      offlineUncorrectable: 0,
      powerOnHours: 31_520,
      temperatureC: 41,
    });
  });

  it("reads an NVMe drive's wear and media errors", () => {
    const r = parseSmartctlJson(
      "/dev/nvme0",
      JSON.stringify({
        model_name: "KINGSTON SNV2S",
        smart_status: { passed: true },
        nvme_smart_health_information_log: { percentage_used: 7, media_errors: 0 },
      }),
    );
    expect(r).toMatchObject({ wearPct: 7, mediaErrors: 0, reallocatedSectors: null });
  });

  it("refuses text that is not smartctl's JSON", () => {
    expect(() => parseSmartctlJson("/dev/sda", "smartctl 7.3 ...")).toThrow();
  });

  it("counts the security upgrades in apt's simulation", () => {
    const text = [
      "Reading package lists...",
      "Inst libc6 [2.36-9+deb12u7] (2.36-9+deb12u9 Debian-Security:12/stable-security [amd64])",
      "Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable [all])",
      "Conf libc6 (2.36-9+deb12u9 Debian-Security:12/stable-security [amd64])",
    ].join("\n");
    expect(parseAptSimulation(text)).toEqual({ upgradable: 2, security: 1 });
  });

  it("reads timesyncd's state, server and offset", () => {
    const t = parseTimedatectl(
      "Timezone=Asia/Kolkata\nNTP=yes\nNTPSynchronized=yes\n",
      "       Server: 10.1.1.1 (ntp.sdc.example.in)\nPoll interval: 34min 8s (min: 32s; max 34min 8s)\n         Leap: normal\n       Offset: -1.204ms\n",
    );
    expect(t).toEqual({
      source: "timesyncd",
      synchronised: true,
      offsetMs: -1.204,
      server: "ntp.sdc.example.in",
    });
  });

  it("reads chrony's tracking line", () => {
    const t = parseChronycTracking(
      "0A010101,10.1.1.1,3,1733300000.123,-0.000123456,0.000001,0.000002,-11.5,0.01,0.1,0.02,0.03,64.5,Normal\n",
    );
    expect(t).toMatchObject({ source: "chrony", synchronised: true, server: "10.1.1.1", offsetMs: -0.123 });
    expect(parseChronycTracking("0,,0,0,0,0,0,0,0,0,0,0,0,Not synchronised").synchronised).toBe(false);
    expect(() => parseChronycTracking("garbage")).toThrow(/14 fields/);
  });
});

class ScriptedHost implements HostSystem {
  fs: FilesystemUse[] = [disk("/", 50)];
  temp: number | null = 55;
  smartReports: SmartReport[] | null = [];
  sync: TimeSync = { source: "timesyncd", synchronised: true, offsetMs: 1, server: "ntp" };
  calls = 0;
  filesystems = async () => (this.calls++, this.fs);
  memory = async () => ({ totalBytes: 4e9, availableBytes: 2e9, swapTotalBytes: 0, swapUsedBytes: 0 });
  cpuTemperatureC = async () => this.temp;
  os = async () => ({
    distro: "Debian GNU/Linux",
    release: "12",
    kernel: "6.1.0-28-amd64",
    arch: "x64",
    diskModels: ["WDC"],
  });
  smart = async () => this.smartReports;
  pendingUpdates = async () => ({ upgradable: 3, security: 1 });
  timeSync = async () => this.sync;
}

function disk(mount: string, usePct: number, inodeUsePct = 1): FilesystemUse {
  return {
    mount,
    device: "/dev/sda1",
    fsType: "ext4",
    sizeBytes: 100e9,
    usedBytes: usePct * 1e9,
    availableBytes: (100 - usePct) * 1e9,
    usePct,
    inodesTotal: 1000,
    inodesFree: 1000 - inodeUsePct * 10,
  };
}

describe("host health conditions", () => {
  const make = () => {
    const sys = new ScriptedHost();
    const events: HostEvent[] = [];
    let now = 0;
    const h = new HostHealth(
      sys,
      (e) => events.push(e),
      DEFAULT_HOST_SETTINGS,
      () => now,
    );
    return { sys, events, h, at: (ms: number) => (now = ms) };
  };

  it("raises disk-low once past 90 %, stays quiet near the line, clears below 85 %", async () => {
    const { sys, events, h } = make();
    for (const pct of [80, 91, 89, 92, 86, 84, 91]) {
      sys.fs = [disk("/", pct)];
      await h.sample("filesystems");
    }
    expect(events.map((e) => `${e.type}:${e.condition}:${e.value}`)).toEqual([
      "host.disk-low:raised:91",
      "host.disk-low:cleared:84",
      "host.disk-low:raised:91",
    ]);
  });

  it("counts inodes as fullness too", async () => {
    const { sys, events, h } = make();
    sys.fs = [disk("/var", 40, 95)];
    await h.sample("filesystems");
    expect(events[0]).toMatchObject({
      type: "host.disk-low",
      subject: "/var",
      detail: "/var is 95 % of its files (inodes) full",
    });
  });

  it("waits before calling an unsynchronised clock an event, and clears when it syncs", async () => {
    const { sys, events, h, at } = make();
    sys.sync = { source: "timesyncd", synchronised: false, offsetMs: null, server: null };
    at(0);
    await h.sample("timeSync");
    at(29 * 60_000);
    await h.sample("timeSync");
    expect(events).toEqual([]);
    at(31 * 60_000);
    await h.sample("timeSync");
    sys.sync = { source: "timesyncd", synchronised: true, offsetMs: 2, server: "ntp.sdc" };
    await h.sample("timeSync");
    expect(events.map((e) => `${e.type}:${e.condition}`)).toEqual([
      "host.clock-unsynced:raised",
      "host.clock-unsynced:cleared",
    ]);
  });

  it("raises overheating with hysteresis and disk-failing from SMART", async () => {
    const { sys, events, h } = make();
    for (const t of [70, 86, 80, 74]) {
      sys.temp = t;
      await h.sample("sensors");
    }
    sys.smartReports = [parseSmartctlJson("/dev/sda", smartJson(true, 0, 0))];
    await h.sample("smart");
    sys.smartReports = [parseSmartctlJson("/dev/sda", smartJson(true, 12, 0))];
    await h.sample("smart");
    await h.sample("smart");
    expect(events.map((e) => `${e.type}:${e.condition}:${e.subject}`)).toEqual([
      "host.overheating:raised:cpu",
      "host.overheating:cleared:cpu",
      "host.disk-failing:raised:/dev/sda",
    ]);
    expect(h.standing()).toEqual([{ type: "host.disk-failing", subject: "/dev/sda" }]);
  });

  it("keeps the last figures and carries on when a tool throws", async () => {
    const { sys, h } = make();
    await h.sample("filesystems");
    sys.filesystems = async () => {
      throw new Error("df: /mnt/nfs: Stale file handle");
    };
    await h.sample("filesystems");
    expect(h.snapshot().filesystems).toHaveLength(1);
  });
});

describe("host health in plain words", () => {
  it("names the disk holding the CCTNS data", () => {
    const fs = [disk("/", 40), disk("/srv/cctns", 96)];
    expect(filesystemOf("/srv/cctns/db", fs)?.mount).toBe("/srv/cctns");
    const lines = describeHost(
      {
        facts: null,
        filesystems: fs,
        memory: null,
        cpuTemperatureC: 60,
        smart: [],
        updates: null,
        timeSync: null,
      },
      { ...DEFAULT_HOST_SETTINGS, dataPaths: ["/srv/cctns/db"] },
    );
    expect(lines).toEqual([
      expect.stringMatching(/^PC: the disk holding the CCTNS data is 96 % full \(4\.0 GB free\)/),
    ]);
  });

  it("says SMART is unknown without smartmontools, and what to install", () => {
    const checks = hostChecks(
      {
        facts: null,
        filesystems: [disk("/", 10)],
        memory: null,
        cpuTemperatureC: null,
        smart: null,
        updates: null,
        timeSync: null,
      },
      DEFAULT_HOST_SETTINGS,
    );
    const worded = checks.map((c) => ({
      ok: c.ok,
      what: englishNote(c.what),
      ...(c.fix ? { fix: englishNote(c.fix) } : {}),
    }));
    expect(worded).toContainEqual({
      ok: null,
      what: "disk health (SMART): unknown",
      fix: "install smartmontools: apt-get install smartmontools",
    });
  });
});
