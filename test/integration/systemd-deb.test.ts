// @needs dpkg-dev lintian iproute2
/**
 * scripts/package-deb.sh: two .debs from one tree, station-agent (no NOC code, no pg) and station-noc
 * (no device addons), each with the libraries its native addons link in Depends. The agent's .deb builds, lists the expected files, carries native code for this
 * architecture only, installs into a scratch root with `dpkg --root` (maintainer scripts honour
 * DPKG_ROOT: users, config 0640 root:station-agent, ICMP range, enabled units), keeps the config on
 * remove and drops it on purge, and is lintian-clean where lintian exists.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtTree, REPO } from "../support/built-tree.js";
import { inCowRoot, run, type Ran } from "../support/run.js";

/** A real `dpkg -i` on a copy-on-write view of this machine: the maintainer scripts' live path. */
const LIVE_DPKG = `
deb=$1
ip link set lo up
dpkg -i "$deb" >/tmp/install.log 2>&1; echo "install: $?"
echo "status: $(dpkg-query -W -f='\${Status}' station-agent)"
echo "user: $(id station-agent)"
echo "config: $(stat -c '%a %U %G' /etc/station-agent/config.yaml)"
echo "range: $(tr -s '[:space:]' ' ' </proc/sys/net/ipv4/ping_group_range)"
echo "enabled: $(ls /etc/systemd/system/multi-user.target.wants/ | grep -c '^station-agent.service$')"
echo "version: $(station-agent version)"
dpkg -r station-agent >/dev/null 2>&1; echo "remove: $?"
echo "kept: $(ls /etc/station-agent/config.yaml)"
echo "range-file-after-remove: $(ls /etc/sysctl.d/60-station-agent-ping.conf 2>/dev/null | wc -l)"
dpkg -P station-agent >/dev/null 2>&1; echo "purge: $?"
echo "left: $(ls -d /opt/station-agent /etc/station-agent /etc/default/station-agent 2>/dev/null | wc -l)"
cat /tmp/install.log >&2
`;

let tree: string;
let work: string;
let deb: string;
let nocDeb: string;
let arch: string;
/** Started as soon as the packages exist: lintian takes about a minute and runs beside the other tests. */
let lintian: Promise<Ran | "absent">;
const version = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version as string;

beforeAll(async () => {
  tree = await builtTree();
  work = mkdtempSync(join(tmpdir(), "systemd-deb-"));
  arch = (await run("dpkg", ["--print-architecture"])).stdout.trim();
  // gzip: lintian on Debian 12 cannot read zstd members, and xz takes a minute on two cores.
  const r = await run(
    "sh",
    [join(tree, "scripts/package-deb.sh"), "--no-build", "--compress", "gzip", "--out", join(work, "out")],
    {
      env: { SOURCE_DATE_EPOCH: "1767225600" },
    },
  );
  expect(r.code, r.stderr).toBe(0);
  [deb, nocDeb] = r.stdout.trim().split("\n").slice(-2) as [string, string];
  lintian = (async () => {
    if ((await run("sh", ["-c", "command -v lintian"])).code !== 0) return "absent" as const;
    return run("lintian", ["--tag-display-limit", "0", deb, nocDeb], { timeoutMs: 300_000 });
  })();
}, 400_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const listing = async (file: string) =>
  new Set(
    (await run("dpkg-deb", ["-c", file])).stdout
      .split("\n")
      .map((l) => l.split(/\s+/)[5]?.replace(/^\./, "") ?? "")
      .filter((p) => p !== ""),
  );

const dpkgRoot = (root: string, ...args: string[]) =>
  run("dpkg", [`--root=${root}`, "--force-script-chrootless", "--force-depends", "--log=/dev/null", ...args]);

function groupOf(root: string, name: string): { gid: number; members: string[] } | undefined {
  for (const line of readFileSync(join(root, "etc/group"), "utf8").split("\n")) {
    const f = line.split(":");
    if (f[0] === name) return { gid: Number(f[2]), members: (f[3] ?? "").split(",").filter(Boolean) };
  }
  return undefined;
}

describe("package-deb.sh", () => {
  it("names the package station-agent_<version>_<arch>.deb and lists the expected files", async () => {
    expect(deb).toBe(join(work, "out", `station-agent_${version}_${arch}.deb`));
    const paths = await listing(deb);
    for (const p of [
      "/opt/station-agent/bin/station-agent",
      "/opt/station-agent/dist/station-agent/cli.js",
      "/opt/station-agent/node_modules/better-sqlite3/package.json",
      "/opt/station-agent/node_modules/unix-dgram/package.json",
      "/opt/station-agent/libexec/station-agent-setup",
      "/opt/station-agent/config/example.yaml",
      "/lib/systemd/system/station-agent.service",
      "/lib/systemd/system/station-agent-recover.timer",
      "/lib/udev/rules.d/60-station-agent.rules",
      "/usr/lib/sysusers.d/station-agent.conf",
      "/usr/lib/tmpfiles.d/station-agent.conf",
      "/usr/lib/modules-load.d/station-agent.conf",
      "/usr/bin/station-agent",
      "/etc/default/station-agent",
      "/usr/share/doc/station-agent/copyright",
      "/usr/share/doc/station-agent/changelog.gz",
      "/usr/share/man/man8/station-agent.8.gz",
    ]) {
      expect(paths.has(p), p).toBe(true);
    }
    // The config is created by postinst, never shipped; development modules stay out.
    expect([...paths].filter((p) => p.startsWith("/etc/station-agent"))).toEqual([]);
    expect([...paths].filter((p) => /node_modules\/(vitest|typescript|eslint)\//.test(p))).toEqual([]);
    // Nothing of the NOC on a station: not its code, its unit, its dashboard or its database driver.
    expect([...paths].filter((p) => /noc|node_modules\/(pg|pg-[a-z-]+|commander)\//.test(p))).toEqual([]);
  });

  it("builds station-noc_<version>_<arch>.deb with the NOC's code, dashboard and modules only", async () => {
    expect(nocDeb).toBe(join(work, "out", `station-noc_${version}_${arch}.deb`));
    const paths = await listing(nocDeb);
    for (const p of [
      "/opt/station-noc/bin/station-noc",
      "/opt/station-noc/dist/noc/cli.js",
      "/opt/station-noc/dist/contract/index.js",
      "/opt/station-noc/noc/public/index.html",
      "/opt/station-noc/node_modules/pg/package.json",
      "/opt/station-noc/node_modules/better-sqlite3/package.json",
      "/lib/systemd/system/station-noc.service",
      "/etc/station-noc/config.yaml",
      "/usr/lib/sysusers.d/station-noc.conf",
      "/usr/bin/station-noc",
      "/usr/share/doc/station-noc/copyright",
      "/usr/share/man/man8/station-noc.8.gz",
    ]) {
      expect(paths.has(p), p).toBe(true);
    }
    expect([...paths].filter((p) => /station-agent|node-hid|serialport|unix-dgram|harfbuzz/.test(p))).toEqual(
      [],
    );
    const depends = (await run("dpkg-deb", ["-f", nocDeb, "Depends"])).stdout;
    expect(depends).toMatch(/libc6 \(>= [\d.]+\)/); // better-sqlite3
    expect(depends).toMatch(/nodejs \(>= \d+\.\d+\)/);
    expect(depends).not.toMatch(/libusb|libudev|udev,|iputils/);
  });

  it("installs station-noc with dpkg --root: its user, its unit left disabled; purge removes its state", async () => {
    const root = join(work, "noc-root");
    mkdirSync(join(root, "var/lib/dpkg/info"), { recursive: true });
    mkdirSync(join(root, "var/lib/dpkg/updates"), { recursive: true });
    writeFileSync(join(root, "var/lib/dpkg/status"), "");
    const installed = await dpkgRoot(root, "-i", nocDeb);
    expect(installed.code, installed.stderr).toBe(0);
    expect(groupOf(root, "station-noc")).toBeDefined();
    expect(groupOf(root, "station-agent")).toBeUndefined();
    expect(existsSync(join(root, "etc/systemd/system/multi-user.target.wants/station-noc.service"))).toBe(
      false,
    );
    const help = await run(join(root, "opt/station-noc/bin/station-noc"), ["--help"]);
    expect(help.code, help.stderr).toBe(0);
    mkdirSync(join(root, "var/lib/station-noc"), { recursive: true });
    writeFileSync(join(root, "var/lib/station-noc/noc.db"), "x");
    const purged = await dpkgRoot(root, "-P", "station-noc");
    expect(purged.code, purged.stderr).toBe(0);
    for (const gone of ["opt/station-noc", "var/lib/station-noc", "etc/station-noc"])
      expect(existsSync(join(root, gone)), gone).toBe(false);
  });

  it("fails the build when dpkg-shlibdeps fails, instead of shipping without library Depends", async () => {
    const bin = join(work, "failing-bin");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "dpkg-shlibdeps"),
      "#!/bin/sh\necho 'dpkg-shlibdeps: error: no dependency information found' >&2\nexit 2\n",
      {
        mode: 0o755,
      },
    );
    const r = await run(
      "sh",
      [
        join(tree, "scripts/package-deb.sh"),
        "--no-build",
        "--program",
        "station-noc",
        "--compress",
        "gzip",
        "--out",
        join(work, "failed"),
      ],
      { env: { PATH: `${bin}:${process.env.PATH}` } },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("no dependency information found");
    expect(r.stderr).toContain("dpkg-shlibdeps failed for station-noc");
    expect(existsSync(join(work, "failed", `station-noc_${version}_${arch}.deb`))).toBe(false);
  });

  it("declares dependencies, conffiles and maintainer scripts, and carries native code for this arch only", async () => {
    const field = async (name: string) => (await run("dpkg-deb", ["-f", deb, name])).stdout.trim();
    expect(await field("Architecture")).toBe(arch);
    const depends = await field("Depends");
    expect(depends).toMatch(/libc6 \(>= [\d.]+\)/);
    // What the addons link: serialport and node-hid's hidraw backend libudev, node-hid's USB backend
    // libusb, the C++ addons libstdc++ (dpkg-shlibdeps reads them off the ELF objects).
    for (const lib of ["libudev1", "libusb-1.0-0", "libstdc++6"])
      expect(depends).toMatch(new RegExp(`${lib.replace(/[.+]/g, "\\$&")} \\(>= [^)]+\\)`));
    expect(depends).toMatch(/nodejs \(>= \d+\.\d+\), nodejs \(<< \d+\)/);
    expect(depends).toContain("iputils-ping");
    expect(depends).toContain("tzdata"); // ledger.timezone is checked against /usr/share/zoneinfo
    const control = join(work, "control");
    expect((await run("dpkg-deb", ["-e", deb, control])).code).toBe(0);
    expect(readFileSync(join(control, "conffiles"), "utf8")).toBe("/etc/default/station-agent\n");
    for (const s of ["postinst", "prerm", "postrm"])
      expect(statSync(join(control, s)).mode & 0o777).toBe(0o755);

    const unpacked = join(work, "unpacked");
    expect((await run("dpkg-deb", ["-x", deb, unpacked])).code).toBe(0);
    const expected = { amd64: "X86-64", arm64: "AArch64", armhf: "ARM", i386: "80386" }[arch]!;
    const natives = (await run("find", [join(unpacked, "opt"), "-name", "*.node"])).stdout.trim().split("\n");
    expect(natives.length).toBeGreaterThanOrEqual(4);
    for (const object of natives) {
      const header = await run("readelf", ["-h", object]);
      expect(header.stdout, object).toContain(expected);
    }
  });

  it("refuses to build for another architecture than the addons were compiled for", async () => {
    const other = arch === "arm64" ? "amd64" : "arm64";
    const r = await run("sh", [
      join(tree, "scripts/package-deb.sh"),
      "--no-build",
      "--arch",
      other,
      "--out",
      join(work, "x"),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`build the ${other} package on a ${other} machine`);
    expect(existsSync(join(work, "x"))).toBe(false);
  });

  it("installs into a scratch root with dpkg --root, keeps the config on upgrade and remove, purges it", async () => {
    const root = join(work, "root");
    mkdirSync(join(root, "var/lib/dpkg/info"), { recursive: true });
    mkdirSync(join(root, "var/lib/dpkg/updates"), { recursive: true });
    writeFileSync(join(root, "var/lib/dpkg/status"), "");

    const installed = await dpkgRoot(root, "-i", deb);
    expect(installed.code, installed.stderr).toBe(0);
    const status = async () =>
      (await run("dpkg-query", [`--root=${root}`, "-W", "-f=${Status}", "station-agent"])).stdout;
    expect(await status()).toBe("install ok installed");

    // postinst: the user in its device groups; the config from the example, root:station-agent 0640.
    const agent = groupOf(root, "station-agent")!;
    for (const g of ["dialout", "station-ups", "lp", "station-api"])
      expect(groupOf(root, g)?.members).toContain("station-agent");
    const config = statSync(join(root, "etc/station-agent/config.yaml"));
    expect([config.mode & 0o7777, config.uid, config.gid]).toEqual([0o640, 0, agent.gid]);
    expect(readFileSync(join(root, "etc/station-agent/config.yaml"), "utf8")).toBe(
      readFileSync(join(REPO, "config/example.yaml"), "utf8"),
    );
    const tls = statSync(join(root, "etc/station-agent/tls"));
    expect([tls.mode & 0o7777, tls.gid]).toEqual([0o750, agent.gid]);
    expect(readFileSync(join(root, "etc/sysctl.d/60-station-agent-ping.conf"), "utf8")).toContain(
      `net.ipv4.ping_group_range = ${agent.gid} ${agent.gid}`,
    );
    // Enabled (symlinks in the scratch root), the NOC not.
    expect(
      lstatSync(
        join(root, "etc/systemd/system/multi-user.target.wants/station-agent.service"),
      ).isSymbolicLink(),
    ).toBe(true);
    expect(
      lstatSync(
        join(root, "etc/systemd/system/timers.target.wants/station-agent-recover.timer"),
      ).isSymbolicLink(),
    ).toBe(true);
    expect(existsSync(join(root, "etc/systemd/system/multi-user.target.wants/station-noc.service"))).toBe(
      false,
    );

    // Reinstalling (an upgrade) never overwrites the station's config.
    writeFileSync(join(root, "etc/station-agent/config.yaml"), "station:\n  id: MH-PUN-0001\n");
    const again = await dpkgRoot(root, "-i", deb);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(root, "etc/station-agent/config.yaml"), "utf8")).toBe(
      "station:\n  id: MH-PUN-0001\n",
    );

    mkdirSync(join(root, "var/lib/station-agent"), { recursive: true });
    writeFileSync(join(root, "var/lib/station-agent/outbox.db"), "x");
    const removed = await dpkgRoot(root, "-r", "station-agent");
    expect(removed.code, removed.stderr).toBe(0);
    expect(await status()).toBe("deinstall ok config-files");
    expect(existsSync(join(root, "opt/station-agent"))).toBe(false);
    expect(existsSync(join(root, "etc/station-agent/config.yaml"))).toBe(true);
    expect(existsSync(join(root, "var/lib/station-agent/outbox.db"))).toBe(true);
    expect(existsSync(join(root, "etc/sysctl.d/60-station-agent-ping.conf"))).toBe(false);

    const purged = await dpkgRoot(root, "-P", "station-agent");
    expect(purged.code, purged.stderr).toBe(0);
    for (const gone of ["etc/station-agent", "var/lib/station-agent", "etc/default/station-agent"]) {
      expect(existsSync(join(root, gone)), gone).toBe(false);
    }
    const wants = join(root, "etc/systemd/system/multi-user.target.wants");
    expect(existsSync(wants) ? readdirSync(wants) : []).toEqual([]);
  });

  it("installs, runs, removes and purges with a real dpkg on a copy-on-write view of this machine", async () => {
    const r = await inCowRoot(LIVE_DPKG, [deb]);
    const v = r.values;
    expect(v.install, r.stderr).toBe("0");
    expect(v.status).toBe("install ok installed");
    for (const g of ["dialout", "station-ups", "lp", "station-api"]) expect(v.user).toContain(`(${g})`);
    expect(v.config).toBe("640 root station-agent");
    const gid = /gid=(\d+)\(station-agent\)/.exec(v.user ?? "")?.[1];
    expect(v.range).toBe(`${gid} ${gid}`);
    expect(v.enabled).toBe("1");
    expect(v.version).toBe(version);
    expect(v.remove).toBe("0");
    expect(v.kept).toBe("/etc/station-agent/config.yaml");
    expect(v["range-file-after-remove"]).toBe("0");
    expect(v.purge).toBe("0");
    expect(v.left).toBe("0");
  });

  it("is lintian-clean (with the documented overrides) where lintian is installed", async (ctx) => {
    const r = await lintian;
    if (r === "absent") return ctx.skip();
    const tags = r.stdout.split("\n").filter((l) => /^[EW]: /.test(l));
    expect(tags).toEqual([]);
    expect(r.code).toBe(0);
  }, 300_000);
});
