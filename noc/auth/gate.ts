/**
 * The dashboard's front door: Host allow-list (DNS rebinding), authentication (session cookie, API
 * token, trusted reverse-proxy header), CSRF on every POST, login with rate limiting, logout, and the
 * admin's audit log. The API behind it only sees a Principal.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP } from "node:net";
import { z } from "zod";
import { CsvLang, csvFile, csvHeader, csvLine } from "../csv.js";
import { FailureLimiter } from "./rate-limit.js";
import { hasRole, type Principal } from "./roles.js";
import type { AuthStore } from "./store.js";

export interface GateOptions {
  /** Host header names (without port) the dashboard answers to; anything else is refused. */
  allowedHosts: string[];
  /** Addresses of reverse proxies whose `proxyUserHeader` names an authenticated user. */
  trustedProxies: string[];
  proxyUserHeader?: string;
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after login whatever its use. */
  maxAgeMs: number;
  /** Served over native HTTPS: cookies are Secure. */
  tls: boolean;
  /** The static admin token of --admin-token-file (scripts; an API token with the admin role). */
  adminToken?: string;
  /** The stations' zone, told to the dashboard (/api/v1/me) so that it shows their local times. */
  timeZone?: string;
  now?: () => number;
}

export const SESSION_COOKIE = "noc_session";
const LoginBody = z.object({ user: z.string().max(64), password: z.string().max(1024) }).strict();
const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).default(200),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  lang: CsvLang,
});

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    ...headers,
  });
  res.end(JSON.stringify(body));
}

/** `host:port`, `[v6]:port` or a bare name, lowercased, without the port. */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") >>> 0);
  const colon = h.lastIndexOf(":");
  return colon >= 0 && h.indexOf(":") === colon ? h.slice(0, colon) : h;
}

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

/** The peer's address, IPv4-mapped IPv6 written as IPv4. */
function peer(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? "";
  return a.startsWith("::ffff:") && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error("too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        reject(new Error("not JSON"));
      }
    });
    req.on("error", reject);
  });
}

export class AuthGate {
  private readonly hosts: Set<string>;
  private readonly now: () => number;
  /** Per client address and per user name: 10 and 5 failed logins per 15 minutes. */
  private readonly byAddress: FailureLimiter;
  private readonly byUser: FailureLimiter;

  constructor(
    readonly store: AuthStore,
    private readonly o: GateOptions,
  ) {
    this.hosts = new Set(o.allowedHosts.map((h) => hostName(h) ?? h));
    this.now = o.now ?? Date.now;
    this.byAddress = new FailureLimiter(10, 15 * 60_000, this.now);
    this.byUser = new FailureLimiter(5, 15 * 60_000, this.now);
  }

  /**
   * A page fetched under a name we do not serve is a DNS-rebinding attempt or a misdirected request. An
   * IP address is always fine: rebinding needs the attacker's own name in the Host header, and a browser
   * sends an address there only for a page that was loaded from that address, i.e. from us.
   */
  hostAllowed(req: IncomingMessage): boolean {
    const h = hostName(req.headers.host);
    return h !== undefined && (this.hosts.has(h) || isIP(h) !== 0);
  }

  /**
   * Handles /auth/* and the gate's own API (/api/v1/me, /api/v1/audit*); for every other /api path
   * returns the authenticated principal, or answers 401/403 itself and returns undefined.
   */
  async admit(req: IncomingMessage, res: ServerResponse, url: URL): Promise<Principal | undefined> {
    const method = req.method ?? "GET";
    if (url.pathname === "/auth/login" && method === "POST") return void (await this.login(req, res));
    if (url.pathname.startsWith("/auth/") && url.pathname !== "/auth/logout")
      return void send(res, 404, { error: "not found" });
    const who = await this.authenticate(req, res, url.pathname === "/api/v1/me");
    if (!who) return void send(res, 401, { error: "sign in first (or send an API token)" });
    if (method !== "GET" && method !== "HEAD" && !this.csrfOk(req, who))
      return void send(res, 403, { error: "missing or wrong CSRF token (x-csrf-token header)" });
    if (url.pathname === "/auth/logout")
      return void (method === "POST" ? await this.logout(who, res) : send(res, 405, { error: "POST only" }));
    if (url.pathname === "/api/v1/me" && method === "GET")
      return void send(res, 200, {
        name: who.name,
        role: who.role,
        district: who.district ?? null,
        via: who.via,
        csrf: who.csrf ?? null,
        timeZone: this.o.timeZone ?? "Asia/Kolkata",
      });
    if (url.pathname === "/api/v1/audit" || url.pathname === "/api/v1/audit.csv") {
      if (method !== "GET") return void send(res, 405, { error: "only GET here" });
      return void (await this.auditLog(who, url, res));
    }
    return who;
  }

  /**
   * Bearer token, trusted proxy header, or session cookie; undefined when none is valid. A proxy's user
   * gets a session of our own (for the CSRF token) when the page asks who it is (`newSession`), not on
   * every call: scripts behind the proxy would otherwise leave a session row per request.
   */
  async authenticate(
    req: IncomingMessage,
    res: ServerResponse,
    newSession = false,
  ): Promise<Principal | undefined> {
    const address = peer(req);
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer (\S{1,200})$/.exec(auth);
      if (!m) return undefined;
      const secret = m[1] as string;
      if (this.o.adminToken && safeEqual(secret, this.o.adminToken))
        return { name: "admin-token", role: "admin", via: "token", address };
      const t = await this.store.token(secret);
      return t && { ...t, address };
    }
    const cookie = cookies(req).get(SESSION_COOKIE);
    const session = cookie ? await this.store.session(cookie, this.o.idleMs, this.o.maxAgeMs) : undefined;
    const header = this.o.proxyUserHeader;
    if (header && this.o.trustedProxies.includes(address)) {
      const name = req.headers[header.toLowerCase()];
      if (typeof name === "string" && name) {
        if (session && session.name === name) return { ...session, via: "proxy", address };
        const user = await this.store.user(name);
        if (!user) return undefined;
        const proxied: Principal = {
          name: user.name,
          role: user.role,
          district: user.district,
          via: "proxy",
          address,
        };
        if (!newSession) return proxied;
        // The proxy vouches for the user; a session of our own carries the CSRF token for the page.
        const s = await this.store.createSession(user.name);
        res.setHeader("set-cookie", this.cookie(req, s.cookie));
        return { ...proxied, csrf: s.csrf, sessionId: s.id };
      }
    }
    return session && { ...session, address };
  }

  /** API tokens are not sent by browsers on their own, so only cookie-based principals need the token. */
  csrfOk(req: IncomingMessage, who: Principal): boolean {
    if (who.via === "token") return true;
    const sent = req.headers["x-csrf-token"];
    return typeof sent === "string" && !!who.csrf && safeEqual(sent, who.csrf) && this.originOk(req);
  }

  /** A browser's Origin, when sent, must name a host we serve (a second line behind SameSite=Strict). */
  private originOk(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    try {
      return this.hosts.has(hostName(new URL(origin).host) ?? "");
    } catch {
      return false;
    }
  }

  private secure(req: IncomingMessage): boolean {
    return (
      this.o.tls ||
      (this.o.trustedProxies.includes(peer(req)) && req.headers["x-forwarded-proto"] === "https")
    );
  }

  private cookie(req: IncomingMessage, value: string, maxAge?: number): string {
    return [
      `${SESSION_COOKIE}=${value}`,
      "Path=/",
      "HttpOnly",
      "SameSite=Strict",
      ...(this.secure(req) ? ["Secure"] : []),
      ...(maxAge !== undefined ? [`Max-Age=${maxAge}`] : []),
    ].join("; ");
  }

  /**
   * No session yet, so no CSRF token: the login must be JSON (a cross-site form cannot send that, and
   * a cross-site fetch of it needs a preflight we never grant) and its Origin, if any, ours.
   */
  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const address = peer(req);
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json") || !this.originOk(req))
      return send(res, 403, { error: "login must be a same-origin JSON request" });
    let body: z.infer<typeof LoginBody>;
    try {
      body = LoginBody.parse(await readJson(req, 4096));
    } catch {
      return send(res, 400, { error: 'body must be {"user": ..., "password": ...}' });
    }
    const wait = Math.max(this.byAddress.blockedFor(address), this.byUser.blockedFor(body.user));
    if (wait > 0) {
      await this.audit("login", body.user, "", "rate-limited", address);
      return send(
        res,
        429,
        { error: "too many failed logins; try again later" },
        { "retry-after": String(Math.ceil(wait / 1000)) },
      );
    }
    const user = await this.store.checkPassword(body.user, body.password);
    if (!user) {
      this.byAddress.fail(address);
      this.byUser.fail(body.user);
      await this.audit("login", body.user, "", "refused", address);
      return send(res, 401, { error: "wrong user name or password" });
    }
    this.byUser.clear(body.user);
    const s = await this.store.createSession(user.name);
    await this.audit("login", user.name, "", "ok", address);
    send(
      res,
      200,
      { name: user.name, role: user.role, district: user.district ?? null, csrf: s.csrf },
      {
        "set-cookie": this.cookie(req, s.cookie),
      },
    );
  }

  private async logout(who: Principal, res: ServerResponse): Promise<void> {
    if (who.sessionId) await this.store.endSession(who.sessionId);
    await this.audit("logout", who.name, "", "ok", who.address ?? "");
    send(
      res,
      200,
      { ok: true },
      { "set-cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` },
    );
  }

  private async auditLog(who: Principal, url: URL, res: ServerResponse): Promise<void> {
    if (!hasRole(who, "admin") || who.district !== undefined)
      return send(res, 403, { error: "the audit log is for admins" });
    const r = AuditQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!r.success) {
      const detail = r.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ");
      return send(res, 400, { error: detail, code: "invalid-input", params: { detail } });
    }
    const { lang, ...page } = r.data;
    const entries = await this.store.auditLog(page);
    if (!url.pathname.endsWith(".csv"))
      return send(res, 200, {
        ...page,
        entries: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
      });
    const lines = [csvHeader(["at", "actor", "action", "target", "detail", "result", "address"], lang)];
    for (const e of entries)
      lines.push(
        csvLine([new Date(e.at).toISOString(), e.actor, e.action, e.target, e.detail, e.result, e.address]),
      );
    res.writeHead(200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="noc-audit.csv"',
      "cache-control": "no-store",
    });
    res.end(csvFile(lines, lang));
  }

  /** Audit failures are logged by the caller's periodic error path; an action is never refused for it. */
  audit(
    action: string,
    actor: string,
    target: string,
    result: string,
    address: string,
    detail = "",
  ): Promise<void> {
    return this.store.audit({ actor, action, target, detail, result, address });
  }
}
