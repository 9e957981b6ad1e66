// @needs mosquitto systemd python3-seccomp iproute2 fping iputils-ping libcap2-bin
/**
 * The tests that hand files to another uid (Mosquitto dropping to its own user, the unit's sandbox as
 * nobody) pass from a clone inside a directory only its owner can enter, as /root or a mktemp -d is:
 * a clone there, node_modules hard-linked in, and those test files run by the clone's own vitest.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../support/built-tree.js";
import { run } from "../support/run.js";

/** Every test file that gives another uid something from the checkout to read or run. */
const OTHER_UID_TESTS = [
  "test/integration/noc-mosquitto-acl.test.ts",
  "test/integration/systemd-agent-watchdog.test.ts",
  "test/integration/systemd-icmp.test.ts",
];

const home = mkdtempSync(join(tmpdir(), "private-clone-"));
const clone = join(home, "station-agent");
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  // The clone's built tree (test/support/built-tree.ts names it after the checkout's path).
  const prefix = `station-agent-systemd-build-${createHash("sha256").update(clone).digest("hex").slice(0, 8)}-`;
  for (const name of readdirSync(tmpdir()))
    if (name.startsWith(prefix)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
});

describe("a clone in a private (0700) directory", () => {
  it("passes the tests that run something as another uid", async () => {
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const cloned = await run("git", ["clone", "--quiet", "--no-hardlinks", REPO, clone]);
    expect(cloned.code, cloned.stderr).toBe(0);
    // What is being worked on, not only what is committed: changed and new files on top of the clone.
    const changed = await run(
      "sh",
      [
        "-c",
        `git ls-files -z -m -o --exclude-standard |
          xargs -0 -r sh -c 'for f; do [ ! -e "$f" ] || cp --parents -t "$0" "$f"; done' "$1"`,
        "sh",
        clone,
      ],
      { cwd: REPO },
    );
    expect(changed.code, changed.stderr).toBe(0);
    const linked = await run("cp", ["-al", join(REPO, "node_modules"), join(clone, "node_modules")]);
    if (linked.code !== 0) expect((await run("cp", ["-a", join(REPO, "node_modules"), clone])).code).toBe(0);

    // The premise: the sandbox's uid cannot read the checkout.
    const peek = await run("setpriv", [
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      "cat",
      join(clone, "package.json"),
    ]);
    expect(peek.code).not.toBe(0);
    expect(peek.stderr).toMatch(/Permission denied/);

    // The outer vitest's own variables would make the inner one think it is a worker.
    const env = Object.fromEntries(
      Object.keys(process.env)
        .filter((k) => k.startsWith("VITEST") || k === "STATION_TEST_SKIPS_SHOWN")
        .map((k) => [k, undefined]),
    );
    const r = await run(
      process.execPath,
      [join(clone, "node_modules/vitest/vitest.mjs"), "run", "--project", "integration", ...OTHER_UID_TESTS],
      { cwd: clone, env: { ...env, CI: "true", NO_COLOR: "1" }, timeoutMs: 600_000 },
    );
    const out = r.stdout + r.stderr;
    expect(r.code, out.slice(-4000)).toBe(0);
    expect(out).toMatch(/Test Files\s+3 passed \(3\)/);
    expect(out).not.toMatch(/skipped/);
  }, 700_000);
});
