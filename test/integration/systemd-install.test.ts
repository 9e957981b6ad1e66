// @needs systemd iproute2 libusb-1.0-0 libudev1
/**
 * scripts/install.sh into a staged DESTDIR: the expected tree and modes, a second run that changes
 * nothing, a config that is never overwritten, a staged agent that runs and loads its native addons,
 * units that verify against the staged files, and --uninstall / --purge. --program=station-noc lays out
 * the NOC alone, and neither carries the other's code or modules.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_ENV, AGENT_NODE_FLAGS } from "../../scripts/bundle-agent.js";
import { builtTree, REPO } from "../support/built-tree.js";
import { inCowRoot, inMountNamespace, run } from "../support/run.js";
import { snapshot, type Entry } from "../support/tree.js";

const APP = "/opt/station-agent";
/** Everything install.sh lays out, except the contents of dist/ and node_modules/. */
const EXPECTED: Record<string, [Entry["type"], number]> = {
  "/etc": ["d", 0o755],
  "/etc/default": ["d", 0o755],
  "/etc/default/station-agent": ["f", 0o644],
  "/etc/station-agent": ["d", 0o755],
  "/etc/station-agent/config.yaml": ["f", 0o640],
  "/etc/station-agent/tls": ["d", 0o750],
  "/lib": ["d", 0o755],
  "/lib/systemd": ["d", 0o755],
  "/lib/systemd/system": ["d", 0o755],
  "/lib/systemd/system/station-agent.service": ["f", 0o644],
  "/lib/systemd/system/station-agent-recover.timer": ["f", 0o644],
  "/lib/udev": ["d", 0o755],
  "/lib/udev/rules.d": ["d", 0o755],
  "/lib/udev/rules.d/60-station-agent.rules": ["f", 0o644],
  "/opt": ["d", 0o755],
  [APP]: ["d", 0o755],
  [`${APP}/bin`]: ["d", 0o755],
  [`${APP}/bin/station-agent`]: ["f", 0o755],
  [`${APP}/config`]: ["d", 0o755],
  [`${APP}/config/example.yaml`]: ["f", 0o644],
  [`${APP}/dist`]: ["d", 0o755],
  [`${APP}/docs`]: ["d", 0o755],
  [`${APP}/docs/install.md`]: ["f", 0o644],
  [`${APP}/docs/security.md`]: ["f", 0o644],
  [`${APP}/libexec`]: ["d", 0o755],
  [`${APP}/libexec/station-agent-setup`]: ["f", 0o755],
  [`${APP}/node_modules`]: ["d", 0o755],
  [`${APP}/package.json`]: ["f", 0o644],
  [`${APP}/package-lock.json`]: ["f", 0o644],
  "/usr": ["d", 0o755],
  "/usr/bin": ["d", 0o755],
  "/usr/bin/station-agent": ["l", 0o777],
  "/usr/lib": ["d", 0o755],
  "/usr/lib/modules-load.d": ["d", 0o755],
  "/usr/lib/modules-load.d/station-agent.conf": ["f", 0o644],
  "/usr/lib/sysusers.d": ["d", 0o755],
  "/usr/lib/sysusers.d/station-agent.conf": ["f", 0o644],
  "/usr/lib/tmpfiles.d": ["d", 0o755],
  "/usr/lib/tmpfiles.d/station-agent.conf": ["f", 0o644],
  "/usr/share": ["d", 0o755],
  "/usr/share/man": ["d", 0o755],
  "/usr/share/man/man8": ["d", 0o755],
  "/usr/share/man/man8/station-agent.8.gz": ["f", 0o644],
};
const inPayload = (p: string) => p.startsWith(`${APP}/dist/`) || p.startsWith(`${APP}/node_modules/`);

/** Runs in the copy-on-write chroot; $1 is the built tree. */
const LIVE_INSTALL = `
tree=$1
ip link set lo up
echo "range-before: $(tr -s '[:space:]' ' ' </proc/sys/net/ipv4/ping_group_range)"
sh "$tree/scripts/install.sh" >/tmp/first.log 2>&1; echo "first: $?"
echo "user: $(id station-agent)"
echo "config: $(stat -c '%a %U %G' /etc/station-agent/config.yaml)"
echo "tls: $(stat -c '%a %U %G' /etc/station-agent/tls)"
echo "range-after: $(tr -s '[:space:]' ' ' </proc/sys/net/ipv4/ping_group_range)"
echo "sysctl-file: $(grep ping_group_range /etc/sysctl.d/60-station-agent-ping.conf)"
echo "systemd-note: $(grep -c 'systemd is not running' /tmp/first.log)"
second=$(sh "$tree/scripts/install.sh" 2>&1); echo "second: $?"
echo "second-says: $(printf '%s\\n' "$second" | tail -1)"
sh "$tree/scripts/install.sh" --uninstall --purge >/dev/null 2>&1; echo "purge: $?"
echo "left: $(ls -d /opt/station-agent /etc/station-agent /etc/sysctl.d/60-station-agent-ping.conf 2>/dev/null | wc -l)"
`;

let tree: string;
let destdir: string;
const install = (...args: string[]) =>
  run("sh", [join(tree, "scripts/install.sh"), ...args], { env: { DESTDIR: destdir } });

beforeAll(async () => {
  tree = await builtTree();
  destdir = mkdtempSync(join(tmpdir(), "systemd-destdir-"));
}, 300_000);
afterAll(() => rmSync(destdir, { recursive: true, force: true }));

describe("install.sh", () => {
  it("lays out the expected tree with the expected modes, all owned by root", async () => {
    const r = await install();
    expect(r.code, r.stderr).toBe(0);
    const all = snapshot(destdir);
    const outside = [...all].filter(([p]) => !inPayload(p));
    expect(Object.fromEntries(outside.map(([p, e]) => [p, [e.type, e.mode]]))).toEqual(EXPECTED);
    expect([...all.values()].every((e) => e.uid === 0)).toBe(true);

    expect(all.get("/usr/bin/station-agent")!.content).toBe(`${APP}/bin/station-agent`);
    const same = (staged: string, source: string) =>
      expect(readFileSync(join(destdir, staged), "utf8")).toBe(readFileSync(join(REPO, source), "utf8"));
    same("/lib/systemd/system/station-agent.service", "systemd/station-agent.service");
    same("/lib/udev/rules.d/60-station-agent.rules", "systemd/udev/60-station-agent.rules");
    same("/etc/station-agent/config.yaml", "config/example.yaml");

    // Production modules only, and native code for this machine only.
    const modules = [...all.keys()].filter((p) => p.startsWith(`${APP}/node_modules/`));
    for (const dev of ["vitest", "typescript", "eslint", "prettier", "playwright-core", "vite"]) {
      expect(all.has(`${APP}/node_modules/${dev}`), dev).toBe(false);
    }
    // What the bundle loads at run time (scripts/bundle-agent.ts EXTERNAL); the rest is bundled in.
    for (const dep of ["better-sqlite3", "@serialport/bindings-cpp", "node-hid", "unix-dgram", "pino"]) {
      expect(all.has(`${APP}/node_modules/${dep}/package.json`), dep).toBe(true);
    }
    // No NOC code and no NOC modules on a station.
    for (const noc of ["pg", "commander", "mqtt"])
      expect(all.has(`${APP}/node_modules/${noc}`), noc).toBe(false);
    expect(readdirSync(join(destdir, APP, "dist"))).toEqual(["station-agent"]);
    expect(modules.filter((p) => /prebuilds\/[^/]*(darwin|win32|android|musl)/.test(p))).toEqual([]);
    // No tool caches (vite's .vite, .vite-temp): they change between runs and are not modules.
    expect(modules.filter((p) => /^\/opt\/station-agent\/node_modules\/\.(?!bin(\/|$))/.test(p))).toEqual([]);
    // Executable exactly when it is a program: wrappers and #! scripts yes, addons' .node no.
    expect(modules.filter((p) => p.endsWith(".node") && all.get(p)!.mode !== 0o644)).toEqual([]);
    expect(all.get(`${APP}/dist/station-agent/cli.js.map`)?.mode).toBe(0o644);

    // The agent runs its bundle with the node flags and malloc setting its benchmarks were measured with,
    // and without --enable-source-maps (which would hold the parsed map: ~14 MB).
    const wrapper = readFileSync(join(destdir, APP, "bin/station-agent"), "utf8");
    const exec = wrapper.split("\n").find((l) => l.startsWith("exec "))!;
    expect(exec).toBe(`exec "$node" ${AGENT_NODE_FLAGS.join(" ")} "$app/dist/station-agent/cli.js" "$@"`);
    for (const [k, v] of Object.entries(AGENT_ENV)) expect(wrapper).toContain(`export ${k}=\${${k}:-${v}}`);
    expect(all.get(`${APP}/dist/station-agent/cli.js`)?.mode).toBe(0o755);
  });

  it("changes nothing when run again, and never overwrites the station's config", async () => {
    const config = join(destdir, "etc/station-agent/config.yaml");
    writeFileSync(config, "station:\n  id: MH-PUN-0001\n");
    const before = snapshot(destdir);
    const r = await install();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("already up to date");
    expect(r.stdout).toContain("keeping existing /etc/station-agent/config.yaml");
    const after = snapshot(destdir);
    // Directory mtimes aside (the staging area comes and goes in /opt), every entry is identical.
    const comparable = (m: Map<string, Entry>) =>
      [...m].map(([p, e]) => [p, { ...e, mtimeMs: e.type === "d" ? 0 : e.mtimeMs }]);
    expect(comparable(after)).toEqual(comparable(before));
    expect(readFileSync(config, "utf8")).toBe("station:\n  id: MH-PUN-0001\n");
  });

  it("gives a staged agent that runs, loads its native addons, and whose units verify against it", async () => {
    const version = await run(join(destdir, APP, "bin/station-agent"), ["version"]);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version);

    // The example is valid apart from the station's own secrets, which the technician provides.
    const example = await run(join(destdir, APP, "bin/station-agent"), [
      "config",
      "check",
      "--config",
      join(destdir, APP, "config/example.yaml"),
    ]);
    const problems = example.stderr.split("\n").filter((l) => l.startsWith("  "));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.filter((l) => !/cannot read \/etc\/station-agent\//.test(l))).toEqual([]);

    const natives = `
      const { createRequire } = require("node:module");
      const req = createRequire(process.argv[1] + "/package.json");
      const Database = req("better-sqlite3");
      if (new Database(":memory:").prepare("select 41 + 1 as n").get().n !== 42) throw new Error("sqlite");
      req("@serialport/bindings-cpp").autoDetect();
      const hid = req("node-hid"); hid.devices();
      req("unix-dgram").createSocket("unix_dgram").close();
      console.log("natives ok");`;
    const loaded = await run(process.execPath, ["-e", natives, join(destdir, APP)]);
    expect(loaded.stderr).toBe("");
    expect(loaded.stdout.trim()).toBe("natives ok");

    const units = ["station-agent.service", "station-agent-recover.timer"].map((u) =>
      join(destdir, "lib/systemd/system", u),
    );
    const verify = await inMountNamespace(
      `mount -t tmpfs none /opt; mkdir /opt/station-agent; mount --bind "$1$2" /opt/station-agent; shift 2; systemd-analyze verify "$@"`,
      [destdir, APP, ...units],
    );
    expect(verify.stdout + verify.stderr).toBe("");
    expect(verify.code).toBe(0);
  });

  it("--uninstall keeps config and state, --purge removes them", async () => {
    mkdirSync(join(destdir, "var/lib/station-agent"), { recursive: true });
    writeFileSync(join(destdir, "var/lib/station-agent/outbox.db"), "x");
    const removed = await install("--uninstall");
    expect(removed.code, removed.stderr).toBe(0);
    const left = [...snapshot(destdir)].filter(([, e]) => e.type !== "d").map(([p]) => p);
    expect(left.sort()).toEqual([
      "/etc/default/station-agent",
      "/etc/station-agent/config.yaml",
      "/var/lib/station-agent/outbox.db",
    ]);

    const purged = await install("--uninstall", "--purge");
    expect(purged.code, purged.stderr).toBe(0);
    expect([...snapshot(destdir)].filter(([, e]) => e.type !== "d")).toEqual([]);
  });

  it("refuses --purge without --uninstall, and unknown options, changing nothing", async () => {
    const before = snapshot(destdir);
    expect((await install("--purge")).code).not.toBe(0);
    expect((await install("--frobnicate")).code).not.toBe(0);
    expect(snapshot(destdir)).toEqual(before);
  });

  it("installs live (no DESTDIR) on a copy-on-write view of this machine: users, config modes, ping range", async () => {
    const hostRange = readFileSync("/proc/sys/net/ipv4/ping_group_range", "utf8");
    const r = await inCowRoot(LIVE_INSTALL, [tree]);
    expect(r.code, r.stderr).toBe(0);
    const got = r.values;
    expect(got.first).toBe("0");
    expect(got.user).toMatch(/^uid=\d+\(station-agent\) gid=(\d+)\(station-agent\) groups=/);
    for (const g of ["dialout", "station-ups", "lp", "station-api"]) expect(got.user).toContain(`(${g})`);
    expect(got.config).toBe("640 root station-agent");
    expect(got.tls).toBe("750 root station-agent");
    const gid = /gid=(\d+)/.exec(got.user!)![1];
    expect(got["range-before"]).toBe("1 0");
    expect(got["range-after"]).toBe(`${gid} ${gid}`);
    expect(got["sysctl-file"]).toBe(`net.ipv4.ping_group_range = ${gid} ${gid}`);
    expect(got["systemd-note"]).toBe("1"); // no systemd as PID 1 here: said so, did not fail
    expect(got.second).toBe("0");
    expect(got["second-says"]).toBe("install.sh: already up to date");
    expect(got.purge).toBe("0");
    expect(got.left).toBe("0");
    // Nothing leaked to the real machine.
    expect(readFileSync("/proc/sys/net/ipv4/ping_group_range", "utf8")).toBe(hostRange);
  });
});

describe("install.sh --program=station-noc", () => {
  const NOC = "/opt/station-noc";
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "systemd-noc-destdir-"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("lays out the NOC alone: its code, dashboard, modules and unit, nothing of the agent", async () => {
    const r = await run("sh", [join(tree, "scripts/install.sh"), "--program=station-noc"], {
      env: { DESTDIR: root },
    });
    expect(r.code, r.stderr).toBe(0);
    const all = snapshot(root);
    const files = [...all].filter(([p, e]) => e.type !== "d" && !p.startsWith(`${NOC}/`)).map(([p]) => p);
    expect(files.sort()).toEqual([
      "/etc/station-noc/config.yaml",
      "/lib/systemd/system/station-noc.service",
      "/usr/bin/station-noc",
      "/usr/lib/sysusers.d/station-noc.conf",
      "/usr/share/man/man8/station-noc.8.gz",
    ]);
    expect(readdirSync(join(root, NOC, "dist")).sort()).toEqual(["contract", "noc"]);
    expect(all.has(`${NOC}/noc/public/index.html`)).toBe(true);
    for (const dep of ["pg", "mqtt", "better-sqlite3", "zod", "pino", "commander"])
      expect(all.has(`${NOC}/node_modules/${dep}/package.json`), dep).toBe(true);
    for (const agentOnly of ["node-hid", "@serialport", "unix-dgram", "harfbuzzjs", "vitest"])
      expect(all.has(`${NOC}/node_modules/${agentOnly}`), agentOnly).toBe(false);

    // It runs from its own tree: every module it imports is there.
    const help = await run(join(root, NOC, "bin/station-noc"), ["--help"]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/serve/);
    const verify = await inMountNamespace(
      `mount -t tmpfs none /opt; mkdir /opt/station-noc; mount --bind "$1$2" /opt/station-noc; systemd-analyze verify "$3"`,
      [root, NOC, join(root, "lib/systemd/system/station-noc.service")],
    );
    expect(verify.stdout + verify.stderr).toBe("");
    expect(verify.code).toBe(0);
  });

  it("--uninstall --purge removes it and its state", async () => {
    mkdirSync(join(root, "var/lib/station-noc"), { recursive: true });
    writeFileSync(join(root, "var/lib/station-noc/noc.db"), "x");
    const r = await run(
      "sh",
      [join(tree, "scripts/install.sh"), "--program=station-noc", "--uninstall", "--purge"],
      {
        env: { DESTDIR: root },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect([...snapshot(root)].filter(([, e]) => e.type !== "d")).toEqual([]);
  });
});
