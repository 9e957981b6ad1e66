/** A linked pty pair made by socat (real serial devices for tests); socat removes its links on exit. */
import { spawn, type ChildProcess } from "node:child_process";
import { lstat } from "node:fs/promises";

export interface PtyPair {
  /** The end the code under test opens (a symlink to /dev/pts/N). */
  device: string;
  /** The other end, where a test plays the device. */
  peer: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

export async function startPtyPair(device: string, peer: string): Promise<PtyPair> {
  const child = spawn("socat", [`pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${peer}`], {
    stdio: "ignore",
  });
  running.add(child);
  const deadline = Date.now() + 5000;
  while (!(await linkExists(device)) || !(await linkExists(peer))) {
    if (child.exitCode !== null) throw new Error(`socat exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("socat did not create its ptys within 5 s");
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    device,
    peer,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      running.delete(child);
    },
  };
}

/** For afterAll: kill any socat a failed test left behind. */
export function killAllPtys(): void {
  for (const c of running) if (c.exitCode === null) c.kill("SIGKILL");
  running.clear();
}

async function linkExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
