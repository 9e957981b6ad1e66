import { describe, expect, it } from "vitest";
import { cpuTemperatureFrom, parseMeminfo, parseMounts } from "../../agent/host/proc-files.js";

describe("/proc/self/mounts", () => {
  const text = [
    "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0",
    "/dev/sda2 / ext4 rw,relatime,errors=remount-ro 0 0",
    "/dev/sda3 /srv/cctns\\040data ext4 rw,relatime 0 0",
    "/dev/sdb1 /media/usb vfat rw 0 0",
    "/dev/sdc1 /media/usb ext4 rw 0 0",
    "none",
    "",
  ].join("\n");

  it("reads each mount point once, unescaping names, the last mount on a point winning", () => {
    const m = parseMounts(text);
    expect(m.map((x) => x.mount)).toEqual(["/sys", "/", "/srv/cctns data", "/media/usb"]);
    expect(m.find((x) => x.mount === "/media/usb")).toEqual({
      device: "/dev/sdc1",
      mount: "/media/usb",
      fsType: "ext4",
    });
  });
});

describe("/proc/meminfo", () => {
  it("gives bytes, and swap used as total less free", () => {
    const m = parseMeminfo(
      "MemTotal:        8000000 kB\nMemFree:  100 kB\nMemAvailable:    3000000 kB\nSwapTotal: 2000000 kB\nSwapFree: 1500000 kB\nActive(anon): 5 kB\n",
    );
    expect(m).toEqual({
      totalBytes: 8_192_000_000,
      availableBytes: 3_072_000_000,
      swapTotalBytes: 2_048_000_000,
      swapUsedBytes: 512_000_000,
    });
  });

  it("falls back to free + cached on kernels without MemAvailable, and refuses text without MemTotal", () => {
    expect(parseMeminfo("MemTotal: 1000 kB\nMemFree: 200 kB\nCached: 300 kB\n").availableBytes).toBe(512_000);
    expect(() => parseMeminfo("garbage")).toThrow(/MemTotal/);
  });
});

describe("CPU temperature from sensors", () => {
  it("takes the hottest CPU sensor, ignoring other sensors and impossible readings", () => {
    expect(
      cpuTemperatureFrom([
        { name: "acpitz\n", milli: "41000\n" },
        { name: "x86_pkg_temp\n", milli: "67500\n" },
        { name: "iwlwifi_1", milli: "90000" },
        { name: "coretemp", milli: "-273000" },
      ]),
    ).toBe(67.5);
  });

  it("is null without a CPU sensor (a virtual machine)", () => {
    expect(cpuTemperatureFrom([])).toBeNull();
    expect(cpuTemperatureFrom([{ name: "nvme", milli: "40000" }])).toBeNull();
  });
});
