/** Users, sessions, API tokens and the audit log, kept in the NOC's storage (SQLite or PostgreSQL). */
import { createHash, randomBytes } from "node:crypto";
import type { Storage } from "../storage/index.js";
import { hashPassword, passwordProblem, verifyPassword } from "./passwords.js";
import { isRole, type Principal, type Role } from "./roles.js";

export interface User {
  name: string;
  role: Role;
  district?: string;
  /** False for a user who signs in only through the trusted reverse proxy. */
  hasPassword: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ApiToken {
  name: string;
  role: Role;
  district?: string;
  createdAt: number;
  createdBy: string;
  lastUsed?: number;
}

export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  target: string;
  detail: string;
  result: string;
  address: string;
}

type Row = Record<string, unknown>;

/** User and token names: what an operator types, safe in a log line and in CSV. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const opt = (v: unknown) => (v === null || v === undefined || v === "" ? undefined : String(v));
const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));

function toUser(r: Row): User {
  const role = String(r.role);
  return {
    name: String(r.name),
    role: isRole(role) ? role : "viewer",
    district: opt(r.district),
    hasPassword: !!opt(r.pw_hash),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function toToken(r: Row): ApiToken {
  const role = String(r.role);
  return {
    name: String(r.name),
    role: isRole(role) ? role : "viewer",
    district: opt(r.district),
    createdAt: Number(r.created_at),
    createdBy: String(r.created_by),
    lastUsed: num(r.last_used),
  };
}

export class AuthError extends Error {}

export class AuthStore {
  constructor(
    private readonly db: Storage,
    private readonly now: () => number = Date.now,
  ) {}

  // ---- users ----

  async users(): Promise<User[]> {
    return (await this.db.query("SELECT * FROM users ORDER BY name", [])).map(toUser);
  }

  async user(name: string): Promise<User | undefined> {
    const r = (await this.db.query("SELECT * FROM users WHERE name = ?", [name]))[0];
    return r ? toUser(r) : undefined;
  }

  /** Creates a user; `password` undefined makes a reverse-proxy-only user. */
  async addUser(name: string, role: Role, district: string | undefined, password?: string): Promise<void> {
    if (!NAME.test(name))
      throw new AuthError("a user name is 1-64 of A-Z a-z 0-9 _ . @ - starting alphanumeric");
    if (await this.user(name)) throw new AuthError(`user ${name} exists`);
    const hash = password === undefined ? "" : await this.hash(password);
    const now = this.now();
    await this.db.run(
      "INSERT INTO users (name, role, district, pw_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
      [name, role, district ?? "", hash, now, now],
    );
  }

  /** Changes the password and signs the user out everywhere. */
  async setPassword(name: string, password: string): Promise<void> {
    const hash = await this.hash(password);
    const n = await this.db.run("UPDATE users SET pw_hash = ?, updated_at = ? WHERE name = ?", [
      hash,
      this.now(),
      name,
    ]);
    if (n === 0) throw new AuthError(`no user ${name}`);
    await this.db.run("DELETE FROM sessions WHERE user_name = ?", [name]);
  }

  async setRole(name: string, role: Role, district: string | undefined): Promise<void> {
    const n = await this.db.run("UPDATE users SET role = ?, district = ?, updated_at = ? WHERE name = ?", [
      role,
      district ?? "",
      this.now(),
      name,
    ]);
    if (n === 0) throw new AuthError(`no user ${name}`);
  }

  async deleteUser(name: string): Promise<void> {
    const n = await this.db.run("DELETE FROM users WHERE name = ?", [name]);
    if (n === 0) throw new AuthError(`no user ${name}`);
    await this.db.run("DELETE FROM sessions WHERE user_name = ?", [name]);
  }

  /** The user when the password is right (always one scrypt's worth of work, user or not). */
  async checkPassword(name: string, password: string): Promise<User | undefined> {
    const r = NAME.test(name)
      ? (await this.db.query("SELECT * FROM users WHERE name = ?", [name]))[0]
      : undefined;
    const ok = await verifyPassword(password, opt(r?.pw_hash));
    return ok && r ? toUser(r) : undefined;
  }

  private async hash(password: string): Promise<string> {
    const problem = passwordProblem(password);
    if (problem) throw new AuthError(problem);
    return hashPassword(password);
  }

  // ---- sessions ----

  /** A new session: the cookie value (only its hash, `id`, is stored) and its CSRF token. */
  async createSession(user: string): Promise<{ cookie: string; csrf: string; id: string }> {
    const cookie = randomBytes(32).toString("base64url");
    const csrf = randomBytes(24).toString("base64url");
    const now = this.now();
    await this.db.run(
      "INSERT INTO sessions (id, user_name, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
      [sha256(cookie), user, csrf, now, now],
    );
    return { cookie, csrf, id: sha256(cookie) };
  }

  /**
   * The session's user when it exists, is not idle for longer than idleMs nor older than maxAgeMs.
   * last_seen is written at most once a minute: reads must not turn into a write per request.
   */
  async session(cookie: string, idleMs: number, maxAgeMs: number): Promise<Principal | undefined> {
    const id = sha256(cookie);
    const r = (
      await this.db.query(
        "SELECT s.csrf, s.created_at, s.last_seen, u.name, u.role, u.district FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.id = ?",
        [id],
      )
    )[0];
    if (!r) return undefined;
    const now = this.now();
    if (now - Number(r.last_seen) > idleMs || now - Number(r.created_at) > maxAgeMs) {
      await this.db.run("DELETE FROM sessions WHERE id = ?", [id]);
      return undefined;
    }
    if (now - Number(r.last_seen) > 60_000)
      await this.db.run("UPDATE sessions SET last_seen = ? WHERE id = ?", [now, id]);
    const u = toUser({ ...r, pw_hash: "", created_at: 0, updated_at: 0 });
    return {
      name: u.name,
      role: u.role,
      district: u.district,
      via: "session",
      csrf: String(r.csrf),
      sessionId: id,
    };
  }

  async endSession(sessionId: string): Promise<void> {
    await this.db.run("DELETE FROM sessions WHERE id = ?", [sessionId]);
  }

  async pruneSessions(idleMs: number, maxAgeMs: number): Promise<number> {
    const now = this.now();
    return this.db.run("DELETE FROM sessions WHERE last_seen < ? OR created_at < ?", [
      now - idleMs,
      now - maxAgeMs,
    ]);
  }

  // ---- API tokens ----

  /** Creates a token and returns its secret, which is shown once and stored only as a hash. */
  async addToken(name: string, role: Role, district: string | undefined, createdBy: string): Promise<string> {
    if (!NAME.test(name))
      throw new AuthError("a token name is 1-64 of A-Z a-z 0-9 _ . @ - starting alphanumeric");
    if ((await this.tokens()).some((t) => t.name === name)) throw new AuthError(`token ${name} exists`);
    const secret = `noc_${randomBytes(32).toString("base64url")}`;
    await this.db.run(
      "INSERT INTO api_tokens (id, name, role, district, created_at, created_by, last_used) VALUES (?, ?, ?, ?, ?, ?, ?)",
      [sha256(secret), name, role, district ?? "", this.now(), createdBy, null],
    );
    return secret;
  }

  async tokens(): Promise<ApiToken[]> {
    return (await this.db.query("SELECT * FROM api_tokens ORDER BY name", [])).map(toToken);
  }

  async deleteToken(name: string): Promise<void> {
    const n = await this.db.run("DELETE FROM api_tokens WHERE name = ?", [name]);
    if (n === 0) throw new AuthError(`no token ${name}`);
  }

  async token(secret: string): Promise<Principal | undefined> {
    const id = sha256(secret);
    const r = (await this.db.query("SELECT * FROM api_tokens WHERE id = ?", [id]))[0];
    if (!r) return undefined;
    const t = toToken(r);
    const now = this.now();
    if (now - (t.lastUsed ?? 0) > 60_000)
      await this.db.run("UPDATE api_tokens SET last_used = ? WHERE id = ?", [now, id]);
    return { name: `token:${t.name}`, role: t.role, district: t.district, via: "token" };
  }

  // ---- audit ----

  async audit(e: Omit<AuditEntry, "at"> & { at?: number }): Promise<void> {
    await this.db.run(
      "INSERT INTO audit (at, actor, action, target, detail, result, address) VALUES (?, ?, ?, ?, ?, ?, ?)",
      [e.at ?? this.now(), e.actor, e.action, e.target, e.detail.slice(0, 2000), e.result, e.address],
    );
  }

  async auditLog(q: { from?: number; to?: number; limit: number; offset: number }): Promise<AuditEntry[]> {
    const rows = await this.db.query(
      "SELECT at, actor, action, target, detail, result, address FROM audit WHERE at >= ? AND at < ? ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
      [q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.limit, q.offset],
    );
    return rows.map((r) => ({
      at: Number(r.at),
      actor: String(r.actor),
      action: String(r.action),
      target: String(r.target ?? ""),
      detail: String(r.detail ?? ""),
      result: String(r.result ?? ""),
      address: String(r.address ?? ""),
    }));
  }
}
