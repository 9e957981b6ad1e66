/**
 * Issue 14's body flood against the real agent: 40 concurrent 8 MB bodies on its API socket, half to
 * the open GET /v1/status, half to the authenticated slip route. Baseline: the same agent's idle RSS in
 * the same run. The code before the fix went from ~110 MB to 345-420 MB here (ratio 3.2-3.5).
 * Run alone: npm run bench -- security
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, writeConfig } from "../../test/support/agent-process.js";
import type { BenchResult } from "./types.js";

export type { BenchResult };

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-flood-"));
  const state = join(dir, "state");
  const config = writeConfig(dir, {
    station: { id: "BENCH-FLOOD" },
    mqtt: { url: "mqtt://127.0.0.1:9" },
    storage: { dir: state },
    clock: { assumeSynced: true },
    log: { level: "warn" },
    devices: [{ id: "printer1", kind: "printer", tcp: "127.0.0.1:9", pollIntervalMs: 60_000 }],
  });
  const agent = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "agent/cli.ts"), "run", "--config", config],
    { cwd: ROOT, stdio: "ignore" },
  );
  try {
    const rssMB = () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${agent.pid}/status`, "utf8"))![1]) / 1024;
    const sock = join(state, "api.sock");
    for (let i = 0; i < 300 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 3000)); // past start-up
    const token = readFileSync(join(state, "api-token"), "utf8").trim();
    const idle = rssMB();
    let peak = idle;
    const watch = setInterval(() => (peak = Math.max(peak, rssMB())), 10);
    const body = Buffer.alloc(8 * 1024 * 1024, 0x7b);
    const send = (i: number) =>
      new Promise<void>((resolve) => {
        const slip = i % 2 === 0;
        const req = request(
          {
            socketPath: sock,
            method: slip ? "POST" : "GET",
            path: slip ? "/v1/print/slip" : "/v1/status",
            headers: { "content-length": body.length, ...(slip ? { authorization: `Bearer ${token}` } : {}) },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve());
          },
        );
        req.on("error", () => resolve());
        req.end(body);
      });
    await Promise.all(Array.from({ length: 40 }, (_, i) => send(i)));
    await new Promise((r) => setTimeout(r, 500));
    clearInterval(watch);
    const after = rssMB();
    peak = Math.max(peak, after);
    return [
      {
        name: "agent RSS peak, 40 concurrent 8 MB bodies on the API socket",
        value: peak,
        unit: "MB",
        baseline: { name: "same agent idle", value: idle },
        ratio: peak / idle,
        target: "ratio < 1.25 (was 3.2-3.5)",
        pass: peak / idle < 1.25,
      },
      {
        name: "agent RSS 0.5 s after the flood",
        value: after,
        unit: "MB",
        baseline: { name: "same agent idle", value: idle },
        ratio: after / idle,
        target: "ratio < 1.25 (was ~2.9: it kept the memory)",
        pass: after / idle < 1.25,
      },
    ];
  } finally {
    agent.kill("SIGKILL");
  }
}
