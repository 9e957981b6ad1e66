// @needs mosquitto
/**
 * Issue 14, NOC 1 and 7, over real HTTP against a real NOC (SQLite, private Mosquitto): the attacks the
 * review made against an unauthenticated dashboard, and what a state's operators rely on instead.
 * The browser side (login page, CSRF from the page, district viewer) is test/e2e/noc-dashboard.test.ts.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultOptions, NocApp, type NocOptions } from "../../noc/app.js";
import { REPO } from "../support/built-tree.js";
import { PrivateMosquitto } from "../support/mosquitto.js";
import { run } from "../support/run.js";

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Req {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  localAddress?: string;
}

function send(url: string, r: Req): Promise<Reply> {
  const u = new URL(url);
  const tls = u.protocol === "https:";
  return new Promise((resolve, reject) => {
    const req = (tls ? httpsRequest : httpRequest)(
      {
        host: u.hostname,
        port: u.port,
        method: r.method ?? "GET",
        path: r.path,
        headers: r.headers,
        localAddress: r.localAddress,
        ...(tls ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(r.body);
  });
}

const cookieOf = (r: Reply) => (r.headers["set-cookie"]?.[0] ?? "").split(";")[0] as string;
const json = (r: Reply) => JSON.parse(r.body) as Record<string, unknown>;

describe("NOC authentication over HTTP", () => {
  const broker = new PrivateMosquitto();
  const dir = mkdtempSync(join(tmpdir(), "noc-auth-"));
  const warnings: string[] = [];
  const log = {
    warn: (o: object, msg: string) => warnings.push(`${msg} ${JSON.stringify(o)}`),
    info: () => undefined,
    error: (o: object, msg: string) => warnings.push(`${msg} ${JSON.stringify(o)}`),
    debug: () => undefined,
  } as never;
  let clock = Date.now();
  const apps: NocApp[] = [];

  async function start(over: Partial<NocOptions>, name: string): Promise<NocApp> {
    const app = new NocApp(
      defaultOptions({
        mqttUrl: broker.url,
        root: "cctns/auth",
        instance: name,
        storage: join(dir, `${name}.db`),
        httpPort: 0,
        rollupS: 3600,
        ...over,
      }),
      { log, now: () => clock },
    );
    await app.start();
    apps.push(app);
    return app;
  }

  let noc: NocApp;
  const login = (user: string, password: string, extra: Record<string, string> = {}) =>
    send(noc.url, {
      method: "POST",
      path: "/auth/login",
      headers: { "content-type": "application/json", ...extra },
      body: JSON.stringify({ user, password }),
    });

  beforeAll(async () => {
    await broker.start();
    noc = await start({ trustedProxies: ["127.0.0.2"], proxyUserHeader: "X-Remote-User" }, "noc-auth");
    await noc.auth.addUser("alice", "admin", undefined, "alice-password-1");
    await noc.auth.addUser("bob", "viewer", "Pune", "bob-password-12");
    await noc.auth.addUser("sso-carol", "operator", undefined);
  }, 60_000);

  afterAll(async () => {
    for (const a of apps) await a.stop();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses every request, pages included, whose Host is not allowed (DNS rebinding)", async () => {
    for (const path of ["/", "/login", "/api/v1/summary", "/auth/login"]) {
      const r = await send(noc.url, { path, headers: { host: "attacker.example:8790" } });
      expect(r.status, path).toBe(403);
    }
    expect((await send(noc.url, { path: "/login", headers: { host: "localhost:8790" } })).status).toBe(200);
    // An address is not a rebinding (that needs the attacker's name): the dashboard by the NOC's LAN IP.
    expect((await send(noc.url, { path: "/login", headers: { host: "10.1.2.3:8790" } })).status).toBe(200);
    expect((await send(noc.url, { path: "/login", headers: { host: "[fd00::1]:8790" } })).status).toBe(200);
  });

  it("gives no data without a session or token", async () => {
    for (const path of ["/api/v1/summary", "/api/v1/stations", "/api/v1/collector", "/api/v1/stream"])
      expect((await send(noc.url, { path })).status, path).toBe(401);
    expect(
      (await send(noc.url, { path: "/api/v1/summary", headers: { authorization: "Bearer nope" } })).status,
    ).toBe(401);
  });

  it("signs in with a HttpOnly SameSite=Strict cookie, and refuses a login that is not same-origin JSON", async () => {
    const r = await login("alice", "alice-password-1");
    expect(r.status).toBe(200);
    const set = r.headers["set-cookie"]?.[0] ?? "";
    expect(set).toMatch(/^noc_session=[\w-]{40,};/);
    expect(set).toContain("HttpOnly");
    expect(set).toContain("SameSite=Strict");
    expect(set).not.toContain("Secure"); // plain HTTP on loopback; see the TLS test
    const form = await send(noc.url, {
      method: "POST",
      path: "/auth/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "user=alice&password=alice-password-1",
    });
    expect(form.status).toBe(403);
    expect((await login("alice", "alice-password-1", { origin: "http://attacker.example" })).status).toBe(
      403,
    );
    // The session works; a POST with it but without the CSRF token does not; logout needs POST.
    const cookie = cookieOf(r);
    const me = await send(noc.url, { path: "/api/v1/me", headers: { cookie } });
    expect(json(me)).toMatchObject({ name: "alice", role: "admin" });
    const csrf = json(me).csrf as string;
    expect(
      (await send(noc.url, { method: "POST", path: "/api/v1/collector/reset-lag", headers: { cookie } }))
        .status,
    ).toBe(403);
    const ok = await send(noc.url, {
      method: "POST",
      path: "/api/v1/collector/reset-lag",
      headers: { cookie, "x-csrf-token": csrf },
    });
    expect(ok.status).toBe(200);
    expect((await send(noc.url, { path: "/auth/logout", headers: { cookie } })).status).toBe(405);
    const out = await send(noc.url, {
      method: "POST",
      path: "/auth/logout",
      headers: { cookie, "x-csrf-token": csrf },
    });
    expect(out.status).toBe(200);
    expect((await send(noc.url, { path: "/api/v1/me", headers: { cookie } })).status).toBe(401);
  });

  it("rate-limits failed logins per user, even with the right password afterwards", async () => {
    for (let i = 0; i < 5; i++) expect((await login("bob", `wrong-${i}-password`)).status).toBe(401);
    const blocked = await login("bob", "bob-password-12");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    clock += 16 * 60_000;
    expect((await login("bob", "bob-password-12")).status).toBe(200);
  });

  it("ends a session left idle past the timeout", async () => {
    const cookie = cookieOf(await login("alice", "alice-password-1"));
    expect((await send(noc.url, { path: "/api/v1/summary", headers: { cookie } })).status).toBe(200);
    clock += 31 * 60_000;
    expect((await send(noc.url, { path: "/api/v1/summary", headers: { cookie } })).status).toBe(401);
  });

  it("API tokens carry a role and a district, and a revoked one stops working", async () => {
    const viewer = await noc.auth.addToken("prometheus", "viewer", undefined, "test");
    const pune = await noc.auth.addToken("pune-script", "operator", "Pune", "test");
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    expect((await send(noc.url, { path: "/api/v1/collector", headers: auth(viewer) })).status).toBe(200);
    // A token is not a browser credential: no CSRF token needed, but the role still counts.
    const post = await send(noc.url, {
      method: "POST",
      path: "/api/v1/collector/reset-lag",
      headers: auth(viewer),
    });
    expect(post.status).toBe(403);
    expect((await send(noc.url, { path: "/api/v1/collector", headers: auth(pune) })).status).toBe(403);
    expect(json(await send(noc.url, { path: "/api/v1/me", headers: auth(pune) }))).toMatchObject({
      name: "token:pune-script",
      role: "operator",
      district: "Pune",
    });
    await noc.auth.deleteToken("prometheus");
    expect((await send(noc.url, { path: "/api/v1/collector", headers: auth(viewer) })).status).toBe(401);
    const tokens = await noc.auth.tokens();
    expect(JSON.stringify(tokens)).not.toContain(pune);
  });

  it("trusts the proxy's user header only from the configured proxy address", async () => {
    const headers = { "x-remote-user": "sso-carol" };
    const direct = await send(noc.url, { path: "/api/v1/me", headers });
    expect(direct.status).toBe(401);
    const proxied = await send(noc.url, { path: "/api/v1/me", headers, localAddress: "127.0.0.2" });
    expect(proxied.status).toBe(200);
    expect(json(proxied)).toMatchObject({ name: "sso-carol", role: "operator", via: "proxy" });
    // The page's session (for its CSRF token) comes with /me; plain calls through the proxy make none.
    expect(proxied.headers["set-cookie"]?.[0]).toMatch(/^noc_session=/);
    const before = (await noc.storage.query("SELECT id FROM sessions", [])).length;
    const call = await send(noc.url, { path: "/api/v1/summary", headers, localAddress: "127.0.0.2" });
    expect(call.status).toBe(200);
    expect(call.headers["set-cookie"]).toBeUndefined();
    expect((await noc.storage.query("SELECT id FROM sessions", [])).length).toBe(before);
    // With the page's cookie and CSRF token, a POST through the proxy works (operator: not reset-lag).
    const cookie = cookieOf(proxied);
    const csrf = json(proxied).csrf as string;
    const post = await send(noc.url, {
      method: "POST",
      path: "/api/v1/collector/reset-lag",
      headers: { ...headers, cookie, "x-csrf-token": csrf },
      localAddress: "127.0.0.2",
    });
    expect(post.status).toBe(403);
    expect(post.body).toContain("admin");
    // A proxy-only user has no password to guess.
    expect((await login("sso-carol", "")).status).toBe(401);
    // A name the NOC does not know is refused even from the proxy.
    const unknown = await send(noc.url, {
      path: "/api/v1/me",
      headers: { "x-remote-user": "mallory" },
      localAddress: "127.0.0.2",
    });
    expect(unknown.status).toBe(401);
  });

  it("answers a malformed % escape with 400 and logs no stack trace", async () => {
    const token = await noc.auth.addToken("escape-test", "viewer", undefined, "test");
    warnings.length = 0;
    const r = await send(noc.url, {
      path: "/api/v1/stations/%E0%A4%",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(400);
    expect(r.body).not.toMatch(/at .*\.ts:\d+/);
    expect(warnings.join("\n")).not.toMatch(/URIError|at .*\.ts:\d+/);
  });

  it("keeps an audit log of logins, commands and settings, for admins only, with CSV", async () => {
    const admin = cookieOf(await login("alice", "alice-password-1"));
    const viewer = cookieOf(await login("bob", "bob-password-12"));
    expect((await send(noc.url, { path: "/api/v1/audit", headers: { cookie: viewer } })).status).toBe(403);
    const log = json(await send(noc.url, { path: "/api/v1/audit?limit=500", headers: { cookie: admin } }));
    const entries = log.entries as { actor: string; action: string; result: string }[];
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: "alice", action: "login", result: "ok" }),
        expect.objectContaining({ actor: "bob", action: "login", result: "refused" }),
        expect.objectContaining({ actor: "bob", action: "login", result: "rate-limited" }),
        expect.objectContaining({ actor: "alice", action: "collector.reset-lag", result: "ok" }),
        expect.objectContaining({ actor: "alice", action: "logout" }),
      ]),
    );
    const csv = await send(noc.url, { path: "/api/v1/audit.csv", headers: { cookie: admin } });
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.body.split("\r\n")[0]).toBe("at,actor,action,target,detail,result,address");
  });

  it("serves HTTPS natively with Secure cookies", async () => {
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
      ],
      { stdio: "pipe" },
    );
    const tls = await start(
      { tls: { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") } },
      "noc-tls",
    );
    expect(tls.url).toMatch(/^https:\/\//);
    await tls.auth.addUser("dave", "viewer", undefined, "dave-password-1");
    const r = await send(tls.url, {
      method: "POST",
      path: "/auth/login",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "dave", password: "dave-password-1" }),
    });
    expect(r.status).toBe(200);
    expect(r.headers["set-cookie"]?.[0]).toContain("; Secure");
  }, 60_000);

  it("station-noc user add/list/del manage users from the shell, with the audit entry", async () => {
    const storage = join(dir, "cli.db");
    const cli = (args: string[], input?: string) =>
      run(join(REPO, "node_modules/.bin/tsx"), [join(REPO, "noc/cli.ts"), ...args, "--storage", storage], {
        input,
      });
    const added = await cli(
      ["user", "add", "erin", "--role", "operator", "--district", "Nagpur"],
      "erin-password-1\n",
    );
    expect(added.code, added.stderr).toBe(0);
    expect((await cli(["user", "add", "short", "--role", "viewer"], "short\n")).stderr).toContain(
      "at least 10",
    );
    expect((await cli(["user", "add", "x", "--role", "root"], "long-enough-1\n")).code).not.toBe(0);
    const list = await cli(["user", "list"]);
    expect(list.stdout).toContain("erin\toperator\tNagpur\tpassword");
    const token = await cli(["token", "add", "grafana", "--role", "viewer"]);
    expect(token.stdout.trim()).toMatch(/^noc_[\w-]{40,}$/);
    expect((await cli(["user", "del", "erin"])).code).toBe(0);
    const app = await start({ storage }, "noc-cli");
    const actions = (await app.auth.auditLog({ limit: 50, offset: 0 })).map((e) => `${e.action} ${e.target}`);
    expect(actions).toEqual(expect.arrayContaining(["user.add erin", "token.add grafana", "user.del erin"]));
  }, 120_000);
});
