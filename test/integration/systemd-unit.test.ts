// @needs systemd udev
/**
 * The systemd/ files themselves: units pass `systemd-analyze verify`, the hardened exposure score stays
 * within target, udev rules parse, sysusers and tmpfiles produce the users, groups and modes the unit
 * relies on, and the ICMP-without-root decision holds on this kernel (in a private network namespace).
 */
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO } from "../support/built-tree.js";
import { inMountNamespace, run } from "../support/run.js";

const SYSTEMD = join(REPO, "systemd");
const UNITS = ["station-agent.service", "station-noc.service", "station-agent-recover.timer"];
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "systemd-unit-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Parses "→ Overall exposure level for X: 1.8 OK". */
async function exposure(unit: string): Promise<number> {
  const r = await run("systemd-analyze", ["security", "--offline=true", "--no-pager", join(SYSTEMD, unit)]);
  expect(r.code, r.stderr).toBe(0);
  const m = /Overall exposure level for \S+: ([\d.]+)/.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  return Number(m![1]);
}

function unitSettings(unit: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of readFileSync(join(SYSTEMD, unit), "utf8").split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) settings.set(m[1]!, [...(settings.get(m[1]!) ?? []), m[2]!]);
  }
  return settings;
}

describe("units", () => {
  it("pass systemd-analyze verify (ExecStart present in a private /opt)", async () => {
    // verify insists that ExecStart exists; a private tmpfs /opt holds stand-ins for the two wrappers.
    const r = await inMountNamespace(
      `mount -t tmpfs none /opt
       for p in station-agent station-noc; do mkdir -p /opt/$p/bin; printf '#!/bin/sh\\n' > /opt/$p/bin/$p; chmod 755 /opt/$p/bin/$p; done
       systemd-analyze verify "$@"`,
      UNITS.map((u) => join(SYSTEMD, u)),
    );
    expect(r.stderr + r.stdout).toBe("");
    expect(r.code).toBe(0);
  });

  it("keep the agent's exposure score at or below 2.5, and the NOC's too", async () => {
    expect(await exposure("station-agent.service")).toBeLessThanOrEqual(2.5);
    expect(await exposure("station-noc.service")).toBeLessThanOrEqual(2.5);
  });

  it("say what the agent and the watchdog need and nothing that kills Node", () => {
    const s = unitSettings("station-agent.service");
    expect(s.get("Type")).toEqual(["notify"]);
    expect(s.get("NotifyAccess")).toEqual(["main"]);
    expect(s.get("WatchdogSec")).toHaveLength(1);
    expect(s.get("Restart")).toEqual(["always"]);
    expect(s.get("MemoryDenyWriteExecute")).toBeUndefined();
    expect(s.get("DevicePolicy")).toEqual(["closed"]);
    expect(
      s
        .get("DeviceAllow")!
        .map((d) => d.split(" ")[0])
        .sort(),
    ).toEqual(["char-hidraw", "char-lp", "char-ttyACM", "char-ttyS", "char-ttyUSB", "char-usb"].sort());
    expect(s.get("CapabilityBoundingSet")).toEqual(["CAP_NET_RAW"]);
    expect(s.get("AmbientCapabilities")).toEqual([""]);
    // Bounded memory (issue 14: a body flood took the agent to 462 MB), and a runtime directory the
    // API group can reach the socket through.
    expect(s.get("MemoryHigh")).toEqual(["160M"]);
    expect(s.get("MemoryMax")).toEqual(["256M"]);
    expect(s.get("RuntimeDirectory")).toEqual(["station-agent"]);
    expect(s.get("RuntimeDirectoryMode")).toEqual(["0755"]);
    expect(s.get("ExecStart")![0]).toMatch(
      /^\/opt\/station-agent\/bin\/station-agent run --config \/etc\/station-agent\/config\.yaml$/,
    );
  });
});

describe("udev rules", () => {
  // udevadm test writes /run/udev and /dev/char: give it private, empty ones (and a private /etc/group).
  const udevTest = (rules: string) =>
    inMountNamespace(
      `mount -t tmpfs none /run; mkdir -p /run/olddev /run/udev/rules.d; mount --bind /dev /run/olddev
       mount -t tmpfs none /dev; touch /dev/null; mount --bind /run/olddev/null /dev/null
       cp "$1" /run/udev/rules.d/
       # The groups sysusers.d creates on a station (station-ups), which this machine may not have yet.
       cp /etc/group /run/group; grep -q '^station-ups:' /run/group || echo 'station-ups:x:64999:' >> /run/group
       mount --bind /run/group /etc/group; udevadm test "$2" 2>&1`,
      [rules, `/sys/class/tty/${readdirSync("/sys/class/tty").find((d) => /^tty\d*$/.test(d)) ?? "tty"}`],
    );

  it("parse without a single complaint", async () => {
    const r = await udevTest(join(SYSTEMD, "udev/60-station-agent.rules"));
    expect(r.stdout).toContain("Reading rules file: /run/udev/rules.d/60-station-agent.rules");
    expect(
      r.stdout.split("\n").filter((l) => l.includes("60-station-agent.rules") && !l.startsWith("Reading")),
    ).toEqual([]);
  });

  it("(the check itself catches a broken rule)", async () => {
    const broken = join(tmp, "60-station-agent.rules");
    writeFileSync(
      broken,
      `${readFileSync(join(SYSTEMD, "udev/60-station-agent.rules"), "utf8")}\nSUBSYSTEM="tty", ATTRS{idVendor}=="1a86", GRUOP="dialout"\n`,
    );
    const r = await udevTest(broken);
    expect(r.stdout).toMatch(/60-station-agent\.rules:\d+ Invalid/);
  });

  it("name the three devices and give them the agent's groups", () => {
    const rules = readFileSync(join(SYSTEMD, "udev/60-station-agent.rules"), "utf8");
    for (const link of ["station/fingerprint", "station/printer", "station/ups"])
      expect(rules).toContain(`SYMLINK+="${link}"`);
    for (const vid of ["1a86", "10c4", "0403", "067b", "051d", "0764", "0463"]) expect(rules).toContain(vid);
    const sysusers = readFileSync(join(SYSTEMD, "sysusers.d/station-agent.conf"), "utf8");
    for (const group of rules.matchAll(/GROUP="([^"]+)"/g))
      expect(sysusers).toContain(`m station-agent ${group[1]}`);
    // The UPS (which can be told to cut the power) is not given to a group desktop users are in.
    expect(/SUBSYSTEM=="hidraw".*GROUP="([^"]+)"/.exec(rules)?.[1]).toBe("station-ups");
  });
});

describe("sysusers.d and tmpfiles.d", () => {
  it("create the user in its device groups, and lock down the config and TLS key", async () => {
    const root = join(tmp, "root");
    mkdirSync(join(root, "etc/station-agent"), { recursive: true });
    mkdirSync(join(root, "usr/lib/sysusers.d"), { recursive: true });
    mkdirSync(join(root, "usr/lib/tmpfiles.d"), { recursive: true });
    for (const f of ["station-agent.conf", "station-noc.conf"])
      copyFileSync(join(SYSTEMD, "sysusers.d", f), join(root, "usr/lib/sysusers.d", f));
    copyFileSync(
      join(SYSTEMD, "tmpfiles.d/station-agent.conf"),
      join(root, "usr/lib/tmpfiles.d/station-agent.conf"),
    );

    const users = await run("systemd-sysusers", [`--root=${root}`, "station-agent.conf", "station-noc.conf"]);
    expect(users.code, users.stderr).toBe(0);
    const groups = new Map(
      readFileSync(join(root, "etc/group"), "utf8")
        .trim()
        .split("\n")
        .map((l) => l.split(":"))
        .map((f) => [f[0]!, { gid: Number(f[2]), members: (f[3] ?? "").split(",") }]),
    );
    for (const g of ["dialout", "station-ups", "lp", "station-api"])
      expect(groups.get(g)?.members).toContain("station-agent");
    expect(groups.get("station-ups")?.members).toEqual(["station-agent"]);
    expect(readFileSync(join(root, "etc/passwd"), "utf8")).toMatch(
      /^station-agent:x:\d+:\d+:[^:]*:\/var\/lib\/station-agent:/m,
    );
    const gid = groups.get("station-agent")!.gid;

    // A technician's careless copy: world-readable config and key.
    writeFileSync(join(root, "etc/station-agent/config.yaml"), "station: {id: X}\n");
    chmodSync(join(root, "etc/station-agent/config.yaml"), 0o666);
    const tmpfiles = await run("systemd-tmpfiles", [`--root=${root}`, "--create", "station-agent.conf"]);
    expect(tmpfiles.code, tmpfiles.stderr).toBe(0);
    const config = statSync(join(root, "etc/station-agent/config.yaml"));
    expect([config.mode & 0o7777, config.uid, config.gid]).toEqual([0o640, 0, gid]);
    const tls = statSync(join(root, "etc/station-agent/tls"));
    expect([tls.mode & 0o7777, tls.uid, tls.gid]).toEqual([0o750, 0, gid]);
  });
});
