import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion; never rejects on a non-zero exit (tests assert on `code`). */
export function run(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        env: { ...process.env, ...options.env },
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 240_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
      },
    );
    // A program that exits without reading its stdin must not turn into an EPIPE for the test.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(options.input ?? "");
  });
}

/** Runs a shell script in a private mount namespace, so its mounts vanish with it. */
export function inMountNamespace(script: string, args: string[] = []): Promise<Ran> {
  return run("unshare", ["-m", "sh", "-c", `set -e; mount --make-rprivate /; ${script}`, "sh", ...args]);
}

/**
 * Runs `script` as root in a chroot onto a copy-on-write view of this machine, in private mount and
 * network namespaces (fixtures/cow-chroot.sh): what it installs, creates or sysctls vanishes afterwards.
 * Its "key: value" output lines come back as an object.
 */
export async function inCowRoot(
  script: string,
  args: string[],
): Promise<Ran & { values: Record<string, string> }> {
  const scratch = mkdtempSync(join(tmpdir(), "systemd-cow-"));
  try {
    const fixture = join(import.meta.dirname, "../integration/fixtures/cow-chroot.sh");
    const r = await run("unshare", ["-m", "-n", "sh", fixture, scratch, ...args], { input: script });
    const values: Record<string, string> = {};
    for (const line of r.stdout.split("\n")) {
      const at = line.indexOf(": ");
      if (at > 0) values[line.slice(0, at)] = line.slice(at + 2).trim();
    }
    return { ...r, values };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
