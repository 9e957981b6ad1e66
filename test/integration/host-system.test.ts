import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RealHostSystem, runCommand } from "../../agent/host/host-system.js";

/** The real PC through systeminformation, smartctl, apt and the time daemons: the shapes the agent relies on. */
describe("the real station PC", () => {
  const host = new RealHostSystem();

  it("lists the root filesystem with its use and inodes, and leaves out memory filesystems", async () => {
    const fs = await host.filesystems();
    const root = fs.find((f) => f.mount === "/");
    expect(root).toBeDefined();
    expect(root!.sizeBytes).toBeGreaterThan(0);
    expect(root!.usePct).toBeGreaterThanOrEqual(0);
    expect(root!.usePct).toBeLessThanOrEqual(100);
    expect(root!.inodesTotal === null || root!.inodesTotal > 0).toBe(true);
    expect(fs.some((f) => f.fsType === "tmpfs")).toBe(false);
  });

  it("sizes the root filesystem as df does", async () => {
    const [size, used, avail] = execFileSync("df", ["-B1", "--output=size,used,avail", "/"], {
      encoding: "utf8",
    })
      .trim()
      .split("\n")[1]!
      .trim()
      .split(/\s+/)
      .map(Number);
    const root = (await host.filesystems()).find((f) => f.mount === "/")!;
    expect(root.sizeBytes).toBe(size);
    // Other tests write to the disk between the two looks: the same to within 64 MiB.
    expect(Math.abs(root.usedBytes - used!)).toBeLessThan(64 * 2 ** 20);
    expect(Math.abs(root.availableBytes - avail!)).toBeLessThan(64 * 2 ** 20);
  });

  it("reads the CPU temperature from thermal zones and hwmon, and null where there is no sensor", async () => {
    const root = mkdtempSync(join(tmpdir(), "host-sys-"));
    const zone = (dir: string, name: string, nameFile: string, tempFile: string, milli: string) => {
      mkdirSync(join(root, dir, name), { recursive: true });
      writeFileSync(
        join(root, dir, name, nameFile),
        `${name.startsWith("hwmon") ? "coretemp" : "x86_pkg_temp"}\n`,
      );
      writeFileSync(join(root, dir, name, tempFile), `${milli}\n`);
    };
    expect(await new RealHostSystem(runCommand, root).cpuTemperatureC()).toBeNull();
    zone("sys/class/thermal", "thermal_zone0", "type", "temp", "55000");
    zone("sys/class/hwmon", "hwmon1", "name", "temp1_input", "71000");
    expect(await new RealHostSystem(runCommand, root).cpuTemperatureC()).toBe(71);
  });

  it("reads the OS and kernel, and memory", async () => {
    const os = await host.os();
    expect(os.kernel).toMatch(/^\d+\.\d+/);
    expect(os.distro.length).toBeGreaterThan(0);
    const m = await host.memory();
    expect(m.totalBytes).toBeGreaterThan(m.availableBytes);
  });

  it("asks smartctl when installed and says null (unknown) when it is not", async () => {
    const installed = !(await runCommand("smartctl", ["--version"])).missing;
    const smart = await host.smart();
    if (installed) expect(Array.isArray(smart)).toBe(true);
    else expect(smart).toBeNull();
    const without = new RealHostSystem((cmd, args) =>
      runCommand(cmd === "smartctl" ? "smartctl-not-installed" : cmd, args),
    );
    expect(await without.smart()).toBeNull();
  });

  it("reports a time source or none, never throws without a time daemon", async () => {
    const t = await host.timeSync();
    expect(["timesyncd", "chrony", "none"]).toContain(t.source);
  });
});
