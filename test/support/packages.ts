/**
 * The Debian packages the tests need, how to tell each is there, and which are missing. One list for
 * the README's test command (`npm test` runs scripts/test-setup.ts first), the vitest config (which
 * leaves out test files whose packages are missing) and CI, so they cannot drift apart.
 *
 * The checks look at what a test uses (a command, a shared library, a file), not only at dpkg's
 * database: a tool built by hand counts as present, and a package that is "installed" but broken
 * does not.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

/** What a check may ask of the machine; tests inject their own answers. */
export interface Probe {
  hasCommand(name: string): boolean;
  /** A shared library by soname, as the dynamic loader finds it (`ldconfig -p`). */
  hasLibrary(soname: string): boolean;
  /** dpkg says the package is installed. */
  hasPackage(name: string): boolean;
  hasFile(path: string): boolean;
  /** /usr/bin/python3 (Debian's, where python3-* modules live) imports the module. */
  hasPythonModule(name: string): boolean;
}

export interface DebianPackage {
  name: string;
  /** Why the tests need it, printed before it is installed. */
  why: string;
  present(probe: Probe): boolean;
}

const cmd = (name: string, why: string, command = name): DebianPackage => ({
  name,
  why,
  present: (p) => p.hasCommand(command),
});
const lib = (name: string, why: string, soname: string): DebianPackage => ({
  name,
  why,
  present: (p) => p.hasLibrary(soname),
});
const deb = (name: string, why: string): DebianPackage => ({ name, why, present: (p) => p.hasPackage(name) });

export const PACKAGES: readonly DebianPackage[] = [
  cmd("mosquitto", "the real MQTT broker the agent and NOC tests talk to"),
  cmd("mosquitto-clients", "mosquitto_sub/_pub, to watch what a test publishes", "mosquitto_sub"),
  cmd("socat", "pseudo-terminals standing in for serial scanners and printers"),
  cmd("nftables", "packet loss and link cuts in the network lab", "nft"),
  cmd("fping", "the link monitor's ICMP prober"),
  cmd("iputils-ping", "the link monitor's fallback ICMP prober", "ping"),
  cmd("iproute2", "network namespaces and veth links for the lab", "ip"),
  cmd("dpkg-dev", "dpkg-shlibdeps, to build the .deb packages", "dpkg-shlibdeps"),
  cmd("lintian", "checks the built .deb packages"),
  cmd("systemd", "systemd-analyze verifies and sandboxes the units", "systemd-analyze"),
  cmd("udev", "udevadm checks the device rules", "udevadm"),
  cmd("chromium", "the NOC dashboard's browser tests"),
  lib("libusb-1.0-0", "node-hid's USB backend (UPS, doctor)", "libusb-1.0.so.0"),
  lib("libudev1", "serialport's and node-hid's device lookup", "libudev.so.1"),
  deb("fonts-lohit-deva", "Devanagari on printed slips and in the Hindi NOC dashboard's Chromium test"),
  deb("fonts-dejavu-core", "Latin text on slips printed by the built agent"),
  cmd("openssl", "test certificate authorities for TLS brokers"),
  cmd("libcap2-bin", "getcap/setcap: the ICMP capability tests", "getcap"),
  {
    name: "python3-seccomp",
    why: "runs a program under the unit's system-call filter",
    present: (p) => p.hasPythonModule("seccomp"),
  },
  {
    name: "tzdata",
    why: "Asia/Kolkata for station-local times",
    present: (p) => p.hasFile("/usr/share/zoneinfo/Asia/Kolkata"),
  },
  cmd("age", "encrypts booking exports"),
  cmd("prometheus", "the real Prometheus scrapes the NOC's /metrics; promtool checks rules", "promtool"),
  cmd("smartmontools", "smartctl, the disk health check", "smartctl"),
  cmd("reprepro", "the fleet's apt repository"),
  cmd("gnupg", "signs the fleet's apt repository", "gpg"),
  cmd("build-essential", "compiles the native addons (serialport, node-hid, better-sqlite3)", "g++"),
  cmd("python3", "node-gyp, when native addons are compiled"),
];

export function byName(name: string): DebianPackage {
  const p = PACKAGES.find((x) => x.name === name);
  if (!p) throw new Error(`unknown Debian package ${name} (add it to test/support/packages.ts)`);
  return p;
}

export function missingPackages(
  probe: Probe,
  packages: readonly DebianPackage[] = PACKAGES,
): DebianPackage[] {
  return packages.filter((p) => !p.present(probe));
}

/** The one command that installs them, as a person would type it. */
export function aptCommand(missing: readonly DebianPackage[], root: boolean): string {
  const names = missing.map((p) => p.name).join(" ");
  return `${root ? "" : "sudo "}apt-get install -y --no-install-recommends ${names}`;
}

/** Asks the real machine; each answer is cached, since the vitest config asks for every test file. */
export function systemProbe(): Probe {
  const memo = new Map<string, boolean>();
  const cached = (key: string, f: () => boolean) => {
    let v = memo.get(key);
    if (v === undefined) memo.set(key, (v = f()));
    return v;
  };
  let ldconfig: string | undefined;
  // sbin too: a user's PATH often lacks it, and what counts is whether the package is installed.
  const path = (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/sbin"]);
  const which = (name: string) => path.filter(Boolean).find((d) => existsSync(`${d}/${name}`));
  return {
    hasCommand: (name) => cached(`c:${name}`, () => which(name) !== undefined),
    hasLibrary: (soname) => {
      const dir = which("ldconfig");
      ldconfig ??= dir ? (spawnSync(`${dir}/ldconfig`, ["-p"], { encoding: "utf8" }).stdout ?? "") : "";
      return ldconfig.includes(soname);
    },
    hasPackage: (name) =>
      cached(`p:${name}`, () => {
        const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", name], { encoding: "utf8" });
        return r.status === 0 && r.stdout.endsWith(" installed");
      }),
    hasFile: (p) => existsSync(p),
    hasPythonModule: (name) =>
      cached(`py:${name}`, () => spawnSync("/usr/bin/python3", ["-c", `import ${name}`]).status === 0),
  };
}

/** `@needs a b c` in a test file's comments: the Debian packages that file's tests need. */
export function declaredNeeds(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/^\s*(?:\/\/|\*)\s*@needs\s+([a-z0-9 .+-]+)$/gm))
    out.push(...m[1]!.trim().split(/\s+/));
  return out;
}

export interface SkippedFile {
  file: string;
  missing: string[];
}

/**
 * Splits test files into those that can run here and those whose packages are missing. Under CI a
 * missing package is an error: a green CI run must mean every test ran.
 */
export function partitionByNeeds(
  files: readonly string[],
  probe: Probe,
  readSource: (file: string) => string = (f) => readFileSync(f, "utf8"),
): { runnable: string[]; skipped: SkippedFile[] } {
  const runnable: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of files) {
    const missing = declaredNeeds(readSource(file)).filter((n) => !byName(n).present(probe));
    if (missing.length) skipped.push({ file, missing });
    else runnable.push(file);
  }
  return { runnable, skipped };
}

export function describeSkipped(skipped: readonly SkippedFile[], root: boolean): string {
  const all = [...new Set(skipped.flatMap((s) => s.missing))].map(byName);
  return [
    `Skipping ${skipped.length} test file(s): Debian packages they need are missing.`,
    ...skipped.map((s) => `  ${s.file}: needs ${s.missing.join(", ")}`),
    `Install them with: ${aptCommand(all, root)}`,
    `(run \`npm test\` as root and it installs them itself)`,
  ].join("\n");
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function aptInstall(missing: readonly DebianPackage[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync(
    "apt-get",
    ["install", "-y", "-qq", "--no-install-recommends", ...missing.map((p) => p.name)],
    { stdio: ["ignore", "ignore", "inherit"], env },
  );
}

export interface SetupDeps {
  probe: () => Probe;
  root: boolean;
  ci: boolean;
  install: (missing: readonly DebianPackage[]) => void;
  log: (line: string) => void;
}

/**
 * What `npm test` does before vitest: install what is missing when it can (root with apt), else list
 * it. Returns false when the run must stop: under CI, where a skipped test would hide a missing
 * install step.
 */
export function prepareMachine(deps: SetupDeps): boolean {
  const list = (pkgs: readonly DebianPackage[]) => {
    for (const p of pkgs) deps.log(`  ${p.name.padEnd(18)} ${p.why}`);
  };
  let missing = missingPackages(deps.probe());
  if (missing.length && deps.root && deps.probe().hasCommand("apt-get")) {
    deps.log(`test set-up: installing ${missing.length} Debian package(s) the tests need:`);
    list(missing);
    try {
      deps.install(missing);
    } catch (err) {
      deps.log(`test set-up: apt-get failed: ${(err as Error).message}`);
    }
    missing = missingPackages(deps.probe());
  }
  if (!missing.length) return true;
  deps.log(`test set-up: ${missing.length} Debian package(s) the tests need are missing:`);
  list(missing);
  deps.log(`Install them with:\n  ${aptCommand(missing, deps.root)}`);
  if (deps.ci) {
    deps.log("test set-up: CI=true: every test must run, so a missing package fails the run");
    return false;
  }
  deps.log("The tests that need them are skipped (vitest lists each skipped file when it starts).");
  return true;
}
