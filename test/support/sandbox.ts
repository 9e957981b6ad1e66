/**
 * The parts of station-agent.service's sandbox that can be reproduced without systemd as PID 1:
 * another uid/gid, no_new_privs, the capability bounding set, and SystemCallFilter=@system-service with
 * SystemCallErrorNumber=EPERM (through python3-seccomp, the libseccomp bindings systemd also builds on).
 */
import { chmodSync, copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./run.js";

export const SANDBOX_UID = "65534";

/** The syscall names a systemd group stands for, nested groups expanded (systemd-analyze syscall-filter). */
export async function expandSyscallGroup(group: string, seen = new Set<string>()): Promise<string[]> {
  seen.add(group);
  const r = await run("systemd-analyze", ["syscall-filter", "--no-pager", group]);
  if (r.code !== 0) throw new Error(`systemd-analyze syscall-filter ${group}: ${r.stderr}`);
  const names = new Set<string>();
  for (const line of r.stdout.split("\n").slice(1)) {
    const item = line.trim();
    if (item === "" || item.startsWith("#")) continue;
    if (item.startsWith("@")) {
      if (!seen.has(item)) for (const n of await expandSyscallGroup(item, seen)) names.add(n);
    } else names.add(item);
  }
  return [...names].sort();
}

export async function seccompAvailable(): Promise<boolean> {
  return (await run("/usr/bin/python3", ["-c", "import seccomp"])).code === 0;
}

/**
 * argv prefix that runs a command as the unit would: setpriv, then the seccomp allow-list. The list is
 * written to `dir` with the filter script, and `dir` is made traversable: the sandboxed uid must read
 * them.
 */
export async function sandboxPrefix(dir: string, bounding = "-all,+net_raw"): Promise<string[]> {
  const list = join(dir, "system-service.syscalls");
  writeFileSync(list, `${(await expandSyscallGroup("@system-service")).join("\n")}\n`, { mode: 0o644 });
  chmodSync(dir, 0o755);
  // A copy beside the list: the checkout may sit where the sandboxed uid cannot enter.
  const script = join(dir, "seccomp-exec.py");
  copyFileSync(join(import.meta.dirname, "../integration/fixtures/seccomp-exec.py"), script);
  chmodSync(script, 0o644);
  return [
    "setpriv",
    `--reuid=${SANDBOX_UID}`,
    `--regid=${SANDBOX_UID}`,
    "--clear-groups",
    "--no-new-privs",
    `--bounding-set=${bounding}`,
    "--inh-caps=-all",
    "/usr/bin/python3",
    script,
    list,
  ];
}
