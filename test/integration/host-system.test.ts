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
