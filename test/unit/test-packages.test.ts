/**
 * The test set-up's package logic with injected answers: what counts as missing, what it installs and
 * when, what it tells a person without root, that CI fails instead of skipping, and that every
 * `@needs` in the test files names a package the set-up knows.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  declaredNeeds,
  describeSkipped,
  missingPackages,
  PACKAGES,
  partitionByNeeds,
  prepareMachine,
  type DebianPackage,
  type Probe,
} from "../support/packages.js";

/** A machine that has exactly the given commands, libraries, packages, files and python modules. */
function machine(have: string[]): Probe & { installed: string[] } {
  const set = new Set(have);
  return {
    installed: have,
    hasCommand: (n) => set.has(`cmd:${n}`),
    hasLibrary: (n) => set.has(`lib:${n}`),
    hasPackage: (n) => set.has(`deb:${n}`),
    hasFile: (n) => set.has(`file:${n}`),
    hasPythonModule: (n) => set.has(`py:${n}`),
  };
}

/** Everything the list asks for, so a test can take pieces away. */
const FULL = [
  ...[
    "mosquitto",
    "mosquitto_sub",
    "socat",
    "nft",
    "fping",
    "ping",
    "ip",
    "dpkg-shlibdeps",
    "lintian",
    "systemd-analyze",
    "udevadm",
    "chromium",
    "openssl",
    "getcap",
    "age",
    "promtool",
    "smartctl",
    "reprepro",
    "gpg",
    "g++",
    "python3",
  ].map((c) => `cmd:${c}`),
  "lib:libusb-1.0.so.0",
  "lib:libudev.so.1",
  "deb:fonts-lohit-deva",
  "deb:fonts-dejavu-core",
  "py:seccomp",
  "file:/usr/share/zoneinfo/Asia/Kolkata",
];
const without = (...drop: string[]) => FULL.filter((x) => !drop.includes(x));
const names = (pkgs: readonly DebianPackage[]) => pkgs.map((p) => p.name);

describe("missing packages", () => {
  it("finds none on a machine that has everything", () => {
    expect(missingPackages(machine(FULL))).toEqual([]);
  });

  it("names each package by what its tests use (command, library, dpkg, file, python module)", () => {
    const m = machine(
      without(
        "cmd:fping",
        "lib:libusb-1.0.so.0",
        "deb:fonts-lohit-deva",
        "file:/usr/share/zoneinfo/Asia/Kolkata",
        "py:seccomp",
        "cmd:promtool",
      ),
    );
    expect(names(missingPackages(m))).toEqual([
      "fping",
      "libusb-1.0-0",
      "fonts-lohit-deva",
      "python3-seccomp",
      "tzdata",
      "prometheus",
    ]);
  });

  it("lists every package on a bare machine, each with a reason", () => {
    const all = missingPackages(machine([]));
    expect(all).toHaveLength(PACKAGES.length);
    for (const p of all) expect(p.why.length).toBeGreaterThan(10);
    expect(names(all)).toEqual(
      expect.arrayContaining(["mosquitto", "chromium", "age", "reprepro", "gnupg", "build-essential"]),
    );
  });
});

describe("prepareMachine", () => {
  const run = (opts: { have: string[]; root: boolean; ci: boolean; aptWorks?: boolean }) => {
    let current = machine([...opts.have, ...(opts.root ? ["cmd:apt-get"] : [])]);
    const installs: string[][] = [];
    const log: string[] = [];
    const ok = prepareMachine({
      probe: () => current,
      root: opts.root,
      ci: opts.ci,
      install: (pkgs) => {
        installs.push(names(pkgs));
        if (opts.aptWorks !== false) current = machine([...FULL, "cmd:apt-get"]);
      },
      log: (l) => log.push(l),
    });
    return { ok, installs, text: log.join("\n") };
  };

  it("does nothing and says nothing when everything is there", () => {
    const r = run({ have: FULL, root: true, ci: true });
    expect(r).toEqual({ ok: true, installs: [], text: "" });
  });

  it("as root installs the missing packages once, saying which and why", () => {
    const r = run({ have: without("cmd:socat", "cmd:chromium"), root: true, ci: false });
    expect(r.ok).toBe(true);
    expect(r.installs).toEqual([["socat", "chromium"]]);
    expect(r.text).toMatch(/installing 2 Debian package\(s\)/);
    expect(r.text).toMatch(/socat +pseudo-terminals/);
    expect(r.text).not.toMatch(/missing/);
  });

  it("without root installs nothing and prints one list with the apt command; the run goes on", () => {
    const r = run({ have: without("cmd:socat", "cmd:fping"), root: false, ci: false });
    expect(r.ok).toBe(true);
    expect(r.installs).toEqual([]);
    expect(r.text).toContain("sudo apt-get install -y --no-install-recommends socat fping");
    expect(r.text).toMatch(/skipped/);
  });

  it("an apt-get that fails is reported, and the packages still missing are listed", () => {
    let current = machine(["cmd:apt-get"]);
    const log: string[] = [];
    const ok = prepareMachine({
      probe: () => current,
      root: true,
      ci: false,
      install: () => {
        current = machine([...FULL.filter((x) => x !== "cmd:socat"), "cmd:apt-get"]);
        throw new Error("E: Unable to locate package socat");
      },
      log: (l) => log.push(l),
    });
    expect(ok).toBe(true);
    expect(log.join("\n")).toMatch(/apt-get failed: E: Unable to locate package socat/);
    expect(log.join("\n")).toMatch(/1 Debian package\(s\) the tests need are missing:\n {2}socat/);
  });

  it("under CI a package it could not install fails the run instead of skipping tests", () => {
    expect(run({ have: without("cmd:socat"), root: false, ci: true }).ok).toBe(false);
    const failedApt = run({ have: without("cmd:socat"), root: true, ci: true, aptWorks: false });
    expect(failedApt.installs).toEqual([["socat"]]);
    expect(failedApt.ok).toBe(false);
    expect(failedApt.text).toMatch(/CI=true/);
  });
});

describe("@needs in test files", () => {
  it("parses the packages a file names, in // and /** */ comments", () => {
    expect(declaredNeeds("// @needs socat mosquitto\n/**\n * @needs fping\n */\nconst x = 1;")).toEqual([
      "socat",
      "mosquitto",
      "fping",
    ]);
    expect(declaredNeeds('const s = "@needs socat";')).toEqual([]);
  });

  it("leaves out exactly the files whose packages are missing, and says which package and how", () => {
    const sources: Record<string, string> = {
      "a.test.ts": "// @needs socat\n",
      "b.test.ts": "// @needs mosquitto fping\n",
      "c.test.ts": "// nothing needed\n",
    };
    const { runnable, skipped } = partitionByNeeds(
      Object.keys(sources),
      machine(without("cmd:fping")),
      (f) => sources[f]!,
    );
    expect(runnable).toEqual(["a.test.ts", "c.test.ts"]);
    expect(skipped).toEqual([{ file: "b.test.ts", missing: ["fping"] }]);
    const text = describeSkipped(skipped, false);
    expect(text).toContain("b.test.ts: needs fping");
    expect(text).toContain("sudo apt-get install -y --no-install-recommends fping");
  });

  it("an unknown package name is an error, not a silent skip", () => {
    expect(() => partitionByNeeds(["x"], machine(FULL), () => "// @needs fonts-typo\n")).toThrow(
      /unknown Debian package fonts-typo/,
    );
  });

  it("the repository's test files name only known packages, and unit tests need none", () => {
    const root = new URL("../../", import.meta.url).pathname;
    const files = (dir: string) =>
      readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".test.ts"))
        .map((f) => join(root, dir, f));
    const heavy = [...files("test/integration"), ...files("test/e2e")];
    expect(() => partitionByNeeds(heavy, machine(FULL))).not.toThrow();
    expect(partitionByNeeds(heavy, machine(FULL)).skipped).toEqual([]);
    expect(heavy.filter((f) => declaredNeeds(readFileSync(f, "utf8")).length).length).toBeGreaterThan(15);
    for (const f of files("test/unit")) expect(declaredNeeds(readFileSync(f, "utf8")), f).toEqual([]);
  });
});
