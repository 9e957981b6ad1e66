// What the NOC's access control costs (issue 14): one login (scrypt), and an authenticated API call by
// session cookie and by API token, against the same server's unauthenticated static page as baseline.
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { defaultOptions, NocApp } from "../../noc/app.js";
import { freePort } from "../../test/support/mosquitto.js";
import type { BenchResult } from "./types.js";

const quiet = { warn: () => undefined, info: () => undefined, error: () => undefined } as never;

function get(url: string, headers: Record<string, string> = {}, method = "GET", body?: string) {
  return new Promise<{ status: number; setCookie?: string; body: string }>((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, setCookie: res.headers["set-cookie"]?.[0], body: text }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Mean milliseconds per sequential call after a warm-up. */
async function perCall(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - t0) / n;
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "noc-auth-bench-"));
  const noc = new NocApp(
    defaultOptions({
      mqttUrl: `mqtt://127.0.0.1:${await freePort()}`,
      storage: join(dir, "noc.db"),
      httpPort: 0,
      rollupS: 3600,
    }),
    { log: quiet },
  );
  try {
    await noc.start();
    await noc.auth.addUser("bench", "viewer", undefined, "bench-password-1");
    const token = await noc.auth.addToken("bench", "viewer", undefined, "bench");
    const url = (p: string) => new URL(p, noc.url).href;
    const login = () =>
      get(
        url("/auth/login"),
        { "content-type": "application/json" },
        "POST",
        JSON.stringify({ user: "bench", password: "bench-password-1" }),
      );
    const loginMs = await perCall(10, login);
    const cookie = ((await login()).setCookie ?? "").split(";")[0] as string;
    const staticMs = await perCall(500, () => get(url("/style.css")));
    const sessionMs = await perCall(500, () => get(url("/api/v1/summary"), { cookie }));
    const tokenMs = await perCall(500, () =>
      get(url("/api/v1/summary"), { authorization: `Bearer ${token}` }),
    );
    const baseline = { name: "static page, no auth", value: staticMs };
    return [
      { name: "login (scrypt N=2^15 verify + session insert)", value: loginMs, unit: "ms" },
      {
        name: "GET /api/v1/summary by session cookie",
        value: sessionMs,
        unit: "ms",
        baseline,
        ratio: sessionMs / staticMs,
      },
      {
        name: "GET /api/v1/summary by API token",
        value: tokenMs,
        unit: "ms",
        baseline,
        ratio: tokenMs / staticMs,
      },
    ];
  } finally {
    await noc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
