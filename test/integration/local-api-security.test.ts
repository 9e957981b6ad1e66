/**
 * Attacks on the local API from another local user (issue 14, agent items 1 and 5): taking the API's
 * address, connecting as `nobody`, and flooding it with large bodies. Runs the real agent as a child
 * process where the effect is on the process (exit, RSS), and curl as a real client.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { apiSocketPath, LocalApi } from "../../agent/local-api.js";
import { createLogger } from "../../agent/log.js";
import { AgentProcess, runCli, tempDir, writeConfig } from "../support/agent-process.js";
import { freePort } from "../support/mosquitto.js";
import { run } from "../support/run.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const log = createLogger("silent");
const TOKEN = "t0ken-for-the-test-0123456789";

/** A listener run as `nobody`: the attacker's process. */
function asNobody(script: string): ChildProcess {
  const p = spawn(
    "setpriv",
    ["--reuid=nobody", "--regid=nogroup", "--clear-groups", process.execPath, "-e", script],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  cleanups.push(() => void p.kill("SIGKILL"));
  return p;
}

function lineFrom(p: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    p.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.trim());
    });
    p.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

async function startApi(dir: string, extra: Partial<ConstructorParameters<typeof LocalApi>[0]> = {}) {
  const api = new LocalApi({ socket: join(dir, "api.sock"), token: TOKEN, log, ...extra }, [
    { method: "GET", path: "/v1/status", auth: false, handle: (_q, r) => void r.end('{"ok":true}') },
    {
      method: "POST",
      path: "/v1/small",
      auth: true,
      maxBodyBytes: 1024,
      handle: (_q, r, body) => void r.end(JSON.stringify({ got: body.length })),
    },
  ]);
  await api.start();
  cleanups.push(() => api.stop());
  return api;
}

function configFor(dir: string, extra: Record<string, unknown> = {}) {
  return {
    station: { id: "PS-SEC" },
    mqtt: { url: "mqtt://127.0.0.1:9", keepalive: 5 },
    storage: { dir: join(dir, "state") },
    clock: { assumeSynced: true },
    log: { level: "info" },
    ...extra,
  };
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]);
}

async function waitForSocket(path: string, agent: AgentProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if (statSync(path).isSocket()) return;
    } catch {
      // not yet
    }
    if (agent.proc!.exitCode !== null) throw new Error(`agent exited: ${agent.output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no socket at ${path}: ${agent.output}`);
}

describe("local API: who can connect", () => {
  it("serves on a unix socket only the socket's group can open; nobody gets EACCES", async () => {
    const dir = tempDir();
    // Like /run/station-agent (RuntimeDirectoryMode=0755): anyone may look in, the socket decides.
    chmodSync(dir, 0o755);
    await startApi(dir, { socketGroup: "audio" });
    const sock = join(dir, "api.sock");
    const st = statSync(sock);
    expect(st.mode & 0o777).toBe(0o660);
    expect(st.gid).toBe(29);

    const curl = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket", sock];
    const outsider = await run("setpriv", [
      "--reuid=nobody",
      "--regid=nogroup",
      "--clear-groups",
      ...curl,
      "http://localhost/v1/status",
    ]);
    expect(outsider.code).toBe(7); // curl: could not connect (EACCES)
    const member = await run("setpriv", [
      "--reuid=nobody",
      "--regid=nogroup",
      "--groups=29",
      ...curl,
      "http://localhost/v1/status",
    ]);
    expect(member.stdout).toBe("200");
  });

  it("a nobody process that takes the old TCP port gets nothing: status goes through the socket", async () => {
    const port = await freePort();
    const thief = asNobody(
      `let n=0;require("net").createServer(s=>{n++;s.destroy()}).listen(${port},"127.0.0.1",()=>console.log("listening"));` +
        `setInterval(()=>{},1000);process.on("SIGTERM",()=>{console.log("connections "+n);process.exit(0)})`,
    );
    expect(await lineFrom(thief)).toBe("listening");
    const dir = tempDir();
    // Even an upgraded station whose config still names the old port does not listen on it.
    const config = writeConfig(dir, configFor(dir, { api: { port } }));
    const agent = new AgentProcess(config);
    cleanups.push(async () => void (await agent.kill()));
    agent.start();
    await waitForSocket(join(dir, "state", "api.sock"), agent);
    expect(agent.output).toMatch(/api\.port is no longer used/);
    const status = await runCli(["status", "--json", "--config", config]);
    expect(JSON.parse(status.stdout)).toMatchObject({ station: "PS-SEC", running: true });
    const said = new Promise<string>((r) => thief.stdout!.on("data", (d: Buffer) => r(d.toString())));
    thief.kill("SIGTERM");
    expect(await said).toMatch(/connections 0/);
  });

  it("the opt-in TCP port is below 1024, so nobody cannot bind it first", async () => {
    const thief = asNobody(
      `require("net").createServer().on("error",e=>{console.log(e.code);process.exit(0)}).listen(880,"127.0.0.1",()=>console.log("bound"))`,
    );
    expect(await lineFrom(thief)).toBe("EACCES");
    const dir = tempDir();
    const bad = await runCli([
      "config",
      "check",
      "--config",
      writeConfig(dir, configFor(dir, { api: { tcpPort: 8787 } })),
    ]);
    expect(bad.code).toBe(78);
    expect(bad.stderr).toMatch(/api\.tcpPort/);
    // An older config's api.port still starts (a station must keep reporting after an upgrade), but
    // nothing listens on it: doctor and the log say where the API is now.
    const old = await runCli([
      "config",
      "check",
      "--config",
      writeConfig(dir, configFor(dir, { api: { port: 8787 } })),
    ]);
    expect(old.code).toBe(0);
  });

  it("opt-in TCP refuses a foreign Host header (DNS rebinding from a web page)", async () => {
    const dir = tempDir();
    const api = await startApi(dir, { tcpPort: 0 });
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        request({ host: "127.0.0.1", port: api.port, path: "/v1/status", headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on("error", reject)
          .end();
      });
    expect(await get("attacker.example:80")).toBe(421);
    expect(await get(`127.0.0.1:${api.port}`)).toBe(200);
    expect(await get(`localhost:${api.port}`)).toBe(200);
  });

  it("exits non-zero when it cannot listen (TCP port taken), instead of running without its API", async () => {
    const blocker = (await import("node:net")).createServer();
    // A privileged port that is free now; the test runs as root, as the agent's unit would grant.
    let port = 0;
    for (const p of [861, 862, 863, 864, 865, 866, 867, 868]) {
      const ok = await new Promise<boolean>((r) => {
        blocker.once("error", () => r(false));
        blocker.listen(p, "127.0.0.1", () => r(true));
      });
      if (ok) {
        port = p;
        break;
      }
    }
    expect(port).toBeGreaterThan(0);
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const dir = tempDir();
    const agent = new AgentProcess(writeConfig(dir, configFor(dir, { api: { tcpPort: port } })));
    cleanups.push(async () => void (await agent.kill()));
    agent.start();
    expect(await agent.exited()).toBe(1);
    expect(agent.output).toMatch(/EADDRINUSE.*could not start/s);
  });

  it("refuses a second agent on a live socket, replaces a stale one, never deletes a plain file", async () => {
    const dir = tempDir();
    await startApi(dir);
    await expect(startApi(dir)).rejects.toThrow(/another process is serving/);

    const stale = tempDir();
    const crashed = spawn(process.execPath, [
      "-e",
      `require("net").createServer().listen(${JSON.stringify(join(stale, "api.sock"))});setTimeout(()=>process.kill(process.pid,"SIGKILL"),300)`,
    ]);
    await new Promise((r) => crashed.once("exit", r));
    expect(statSync(join(stale, "api.sock")).isSocket()).toBe(true);
    await startApi(stale); // a killed agent's socket is replaced

    const planted = tempDir();
    writeFileSync(join(planted, "api.sock"), "not a socket");
    await expect(startApi(planted)).rejects.toThrow(/not a socket/);
    expect(readFileSync(join(planted, "api.sock"), "utf8")).toBe("not a socket");
  });
});

describe("local API: bounded bodies", () => {
  it("answers a 9 MB body with 413 (not a reset), on GET and on a small POST route", async () => {
    const dir = tempDir();
    await startApi(dir);
    const big = join(dir, "big.bin");
    writeFileSync(big, Buffer.alloc(9 * 1024 * 1024, 0x41));
    const curl = (path: string, ...args: string[]) =>
      run("curl", [
        "-s",
        "-w",
        "\n%{http_code}",
        "--unix-socket",
        join(dir, "api.sock"),
        ...args,
        `http://localhost${path}`,
      ]);
    const get = await curl("/v1/status", "-X", "GET", "--data-binary", `@${big}`);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/takes no body[^]*\n413$/);
    const post = await curl("/v1/small", "-H", `authorization: Bearer ${TOKEN}`, "--data-binary", `@${big}`);
    expect(post.code).toBe(0);
    expect(post.stdout).toMatch(/larger than 1024 bytes[^]*\n413$/);
    // Chunked (no content-length): refused once it passes the limit, still with an answer.
    const chunked = await curl(
      "/v1/small",
      "-H",
      `authorization: Bearer ${TOKEN}`,
      "-H",
      "transfer-encoding: chunked",
      "--data-binary",
      `@${big}`,
    );
    expect(chunked.stdout).toMatch(/\n413$/);
    // Without the token the body is not read at all.
    const anon = await curl("/v1/small", "--data-binary", `@${big}`);
    expect(anon.stdout).toMatch(/\n401$/);
    const ok = await curl("/v1/small", "-H", `authorization: Bearer ${TOKEN}`, "--data-binary", "{}");
    expect(ok.stdout).toBe('{"got":2}\n200');
  });

  it("40 concurrent 8 MB bodies leave the agent's RSS where it was", async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      configFor(dir, {
        log: { level: "warn" },
        devices: [{ id: "printer1", kind: "printer", tcp: "127.0.0.1:9", pollIntervalMs: 60_000 }],
      }),
    );
    const agent = new AgentProcess(config);
    cleanups.push(async () => void (await agent.kill()));
    agent.start();
    const sock = join(dir, "state", "api.sock");
    await waitForSocket(sock, agent);
    const token = readFileSync(join(dir, "state", "api-token"), "utf8").trim();
    const before = rssKiB(agent.proc!.pid!);
    const body = Buffer.alloc(8 * 1024 * 1024, 0x7b);
    const send = (path: string, method: string, auth: boolean) =>
      new Promise<number>((resolve) => {
        const req = request(
          {
            socketPath: sock,
            path,
            method,
            headers: {
              "content-length": body.length,
              ...(auth ? { authorization: `Bearer ${token}` } : {}),
            },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", () => resolve(-1)); // over the connection cap: closed at accept
        req.end(body);
      });
    let peak = before;
    const watch = setInterval(() => (peak = Math.max(peak, rssKiB(agent.proc!.pid!))), 20);
    const codes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 ? send("/v1/status", "GET", false) : send("/v1/print/slip", "POST", true),
      ),
    );
    clearInterval(watch);
    peak = Math.max(peak, rssKiB(agent.proc!.pid!));
    expect(codes.filter((c) => c === 413).length).toBeGreaterThan(0);
    expect(codes.every((c) => c === 413 || c === -1)).toBe(true);
    // The old code buffered every body: +320 MB here (issue 14 saw 103 -> 462 MB).
    process.stderr.write(`local API flood: RSS ${before} KiB before, ${peak} KiB peak\n`);
    expect(peak - before).toBeLessThan(48 * 1024);
  });
});

describe("local API: the socket directory", () => {
  it("is the unit's runtime dir for the packaged state dir, else the state dir, unless api.socket says", () => {
    const api = { enabled: true, socketGroup: "station-api" };
    expect(apiSocketPath({ api, storage: { dir: "/var/lib/station-agent" } } as never)).toBe(
      "/run/station-agent/api.sock",
    );
    expect(apiSocketPath({ api, storage: { dir: "/tmp/lab/state" } } as never)).toBe(
      "/tmp/lab/state/api.sock",
    );
    expect(apiSocketPath({ api: { ...api, socket: "/srv/a.sock" }, storage: { dir: "/x" } } as never)).toBe(
      "/srv/a.sock",
    );
  });

  it("creates the socket's directory when missing", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "a"));
    await startApi(join(dir, "a", "b"));
    expect(statSync(join(dir, "a", "b", "api.sock")).isSocket()).toBe(true);
  });
});
