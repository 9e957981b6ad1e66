import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { DetachedProcessLauncher, PathUnitLauncher, Updater } from "../../agent/fleet/update.js";

/** A runner that behaves like station-agent-upgrade: it outlives its parent and leaves ID.json. */
function fakeRunner(dir: string, outcome: string): string {
  const path = join(dir, "runner.sh");
  writeFileSync(
    path,
    `#!/bin/sh\nwhile [ $# -gt 0 ]; do case "$1" in --id) id=$2;; --to) to=$2;; --state) st=$2;; esac; shift; done\nsleep 0.3\nprintf '{"id":"%s","package":"station-agent","from":"0.1.0","to":"%s","outcome":"${outcome}","reason":"r","at":1}' "$id" "$to" > "$st/update/$id.json"\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe("the update command on the station", () => {
  it("starts a detached runner, refuses a second update meanwhile, and reports its outcome once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "updater-"));
    const updater = new Updater(dir, new DetachedProcessLauncher(fakeRunner(dir, "rolled-back")), "0.1.0");
    expect(await updater.start({ id: "u1", version: "0.2.0", deadlineS: 60 })).toEqual({
      from: "0.1.0",
      to: "0.2.0",
      launcher: "detached-process",
    });
    await expect(updater.start({ id: "u2", version: "0.3.0", deadlineS: 60 })).rejects.toThrow(
      /u1 to 0\.2\.0 is still running/,
    );
    await vi.waitFor(() => expect(existsSync(join(dir, "update/u1.json"))).toBe(true), { timeout: 10_000 });
    const reported: unknown[] = [];
    updater.reportOutcomes((o) => reported.push(o));
    expect(reported).toEqual([expect.objectContaining({ id: "u1", to: "0.2.0", outcome: "rolled-back" })]);
    expect(updater.reportOutcomes((o) => reported.push(o))).toBe(0);
    expect(updater.running()).toBeUndefined();
  });

  it("refuses what is not a package version, before launching anything", async () => {
    const dir = mkdtempSync(join(tmpdir(), "updater-"));
    const launched: string[][] = [];
    const updater = new Updater(dir, { kind: "test", launch: async (a) => void launched.push(a) }, "0.1.0");
    for (const bad of ["", "latest", "1.0; reboot", "../../etc", "1.0 -o Dpkg::Options"])
      await expect(updater.start({ id: "u1", version: bad, deadlineS: 60 })).rejects.toThrow(
        /not a package version/,
      );
    await expect(updater.start({ id: "../x", version: "1.0.0", deadlineS: 60 })).rejects.toThrow(
      /id must be/,
    );
    expect(launched).toEqual([]);
    await updater.start({ id: "u1", version: "2:1.0.0-1", deadlineS: 60 });
    expect(launched).toHaveLength(1);
  });

  it("asks the path unit with id, to and deadline lines only", async () => {
    const dir = mkdtempSync(join(tmpdir(), "updater-"));
    const updater = new Updater(dir, new PathUnitLauncher(join(dir, "request")), "0.1.0");
    await updater.start({ id: "u9", version: "0.9.0", deadlineS: 90 });
    expect(readFileSync(join(dir, "request"), "utf8")).toBe("id=u9\nto=0.9.0\ndeadline=90\n");
  });
});
