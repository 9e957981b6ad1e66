import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, chownSync, lstatSync, mkdirSync, unlinkSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect } from "node:net";
import { dirname, join, resolve } from "node:path";
import type { Config } from "../config/schema.js";
import { readBody } from "../contract/http-body.js";
import type { Logger, LocalRoute } from "./ports.js";
import { groupId, readSecretFile, writeSecretFile } from "./secret-file.js";

/** Body limit of a POST route that does not set its own. GET routes read no body at all. */
export const DEFAULT_POST_BODY = 64 * 1024;
/** Connections served at once; more are closed by the kernel side of Node at accept. */
export const MAX_CONNECTIONS = 16;
/** After a 413 the rest of the body is discarded (so the client reads the answer, not a reset) for this long. */
const DRAIN_MS = 5000;

export const PACKAGED_STATE_DIR = "/var/lib/station-agent";
/** In the unit's RuntimeDirectory (0755), where the CCTNS client's user can reach it. */
export const PACKAGED_API_SOCKET = "/run/station-agent/api.sock";

/**
 * Where the API socket is: `api.socket`; else, with the packaged state dir, the unit's runtime dir (so a
 * station upgraded with its old config gets it there too); else `api.sock` in the state dir (development,
 * the demo, tests).
 */
export function apiSocketPath(config: Pick<Config, "api" | "storage">): string {
  if (config.api.socket !== undefined) return resolve(config.api.socket);
  if (resolve(config.storage.dir) === PACKAGED_STATE_DIR) return PACKAGED_API_SOCKET;
  return resolve(join(config.storage.dir, "api.sock"));
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Read the bearer token, creating it (0600) on first run; a token others can read is refused. */
export function ensureToken(file: string): string {
  const existing = readSecretFile(file, "api token");
  if (existing !== undefined) return existing.trim();
  mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
  const token = randomBytes(24).toString("base64url");
  writeSecretFile(file, `${token}\n`);
  return token;
}

export interface LocalApiOptions {
  /** Unix socket path (the default transport): mode 0660, group `socketGroup`. */
  socket?: string;
  /** Group given the socket, so the CCTNS client's user (a member) can connect; none: the agent's own. */
  socketGroup?: string;
  /** Opt-in loopback TCP port, for clients that cannot speak unix sockets. */
  tcpPort?: number;
  token: string;
  log: Logger;
  maxConnections?: number;
}

/**
 * The local API for the station's own software (the CCTNS client) and for `station-agent status`.
 * Served on a unix socket whose mode and group decide who may connect (a TCP port can be taken by any
 * local user before the agent binds it). Routes marked auth also need `Authorization: Bearer <token>`.
 * Bodies are bounded per route and read only after authentication.
 */
export class LocalApi {
  private readonly servers: Server[] = [];
  private readonly routes = new Map<string, LocalRoute>();
  private socketPath?: string;
  port = 0;

  constructor(
    private readonly opts: LocalApiOptions,
    routes: LocalRoute[] = [],
  ) {
    for (const r of routes) this.add(r);
  }

  add(route: LocalRoute): void {
    this.routes.set(`${route.method} ${route.path}`, route);
  }

  /** Listens on every configured transport; rejects when one cannot be bound (the caller exits). */
  async start(): Promise<void> {
    if (this.opts.socket !== undefined) await this.listenUnix(this.opts.socket);
    if (this.opts.tcpPort !== undefined) await this.listenTcp(this.opts.tcpPort);
  }

  private server(tcp: boolean): Server {
    const server = createServer((req, res) => void this.handle(req, res, tcp));
    server.maxConnections = this.opts.maxConnections ?? MAX_CONNECTIONS;
    // A slow sender cannot hold a connection (and its buffered body) open for long.
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    this.servers.push(server);
    return server;
  }

  private async listenUnix(path: string): Promise<void> {
    mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
    await removeStaleSocket(path);
    const server = this.server(false);
    await listen(server, (cb) => server.listen(path, cb));
    this.socketPath = path;
    // Created under the unit's UMask (0077), then opened to the API group only.
    const gid = this.opts.socketGroup ? groupId(this.opts.socketGroup) : undefined;
    if (this.opts.socketGroup && gid === undefined) {
      this.opts.log.warn(
        { group: this.opts.socketGroup, socket: path },
        "API socket group does not exist; only the agent's own group can connect",
      );
    }
    if (gid !== undefined) chownSync(path, -1, gid);
    chmodSync(path, 0o660);
  }

  private async listenTcp(port: number): Promise<void> {
    const server = this.server(true);
    await listen(server, (cb) => server.listen(port, "127.0.0.1", cb));
    const a = server.address();
    this.port = typeof a === "object" && a ? a.port : port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse, tcp: boolean): Promise<void> {
    try {
      if (tcp) {
        const peer = req.socket.remoteAddress ?? "";
        if (!(peer === "127.0.0.1" || peer === "::ffff:127.0.0.1")) {
          return sendJson(res, 403, { error: "only loopback clients are served" });
        }
        // DNS rebinding: a web page's own host name resolving to 127.0.0.1 must not reach the API.
        const host = (req.headers.host ?? "").replace(/:\d+$/, "");
        if (host !== "127.0.0.1" && host !== "localhost") {
          return sendJson(res, 421, { error: "Host must be 127.0.0.1 or localhost" });
        }
      }
      const path = (req.url ?? "/").split("?")[0]!;
      const found = this.match(req.method ?? "", path);
      if (!found) {
        const other = [...this.routes.values()].some((r) => matchPath(r.path, path) !== undefined);
        return sendJson(res, other ? 405 : 404, { error: other ? "method not allowed" : "no such endpoint" });
      }
      const { route, params } = found;
      if (route.auth && !this.authorised(req.headers.authorization)) {
        return refuse(res, 401, {
          error: "missing or wrong bearer token (see the api-token file in the state dir)",
        });
      }
      const limit = route.maxBodyBytes ?? (route.method === "GET" ? 0 : DEFAULT_POST_BODY);
      const body = await readBody(req, limit);
      if (body === undefined) {
        return refuse(res, 413, {
          error: limit === 0 ? "this endpoint takes no body" : `body larger than ${limit} bytes`,
        });
      }
      await route.handle(req, res, body, params);
    } catch (e) {
      this.opts.log.error({ err: (e as Error).message, url: req.url }, "local api handler failed");
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      else res.end();
    }
  }

  private match(
    method: string,
    path: string,
  ): { route: LocalRoute; params: Record<string, string> } | undefined {
    const exact = this.routes.get(`${method} ${path}`);
    if (exact) return { route: exact, params: {} };
    for (const route of this.routes.values()) {
      if (route.method !== method || !route.path.includes("{")) continue;
      const params = matchPath(route.path, path);
      if (params) return { route, params };
    }
    return undefined;
  }

  private authorised(header: string | undefined): boolean {
    const m = /^Bearer (.+)$/.exec(header ?? "");
    if (!m) return false;
    const a = Buffer.from(m[1]!);
    const b = Buffer.from(this.opts.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  async stop(): Promise<void> {
    for (const server of this.servers.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    if (this.socketPath) {
      try {
        unlinkSync(this.socketPath);
      } catch {
        // Already gone.
      }
    }
  }
}

/** `/v1/bookings/{id}` against `/v1/bookings/bk-1`: the params, or undefined when it does not match. */
function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  if (pattern === path) return {};
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith("{") && w.endsWith("}")) {
      if (g === "") return undefined;
      try {
        params[w.slice(1, -1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}

function listen(server: Server, start: (cb: () => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    start(() => {
      server.off("error", reject);
      resolve();
    });
  });
}

/**
 * A socket file left by a killed agent is removed; a live one (another agent) or anything that is not a
 * socket is refused, so the agent never deletes a file it did not create.
 */
async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw new Error(`${path} exists and is not a socket; refusing to replace it`);
  const live = await new Promise<boolean>((resolve) => {
    const c = connect(path);
    c.once("connect", () => {
      c.destroy();
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });
  if (live) throw new Error(`another process is serving ${path} (is a second station-agent running?)`);
  unlinkSync(path);
}

/**
 * Answer without reading the rest of the body, then close: Node discards what the client still sends,
 * so it reads the answer instead of a connection reset; a sender that never stops is cut after DRAIN_MS.
 */
function refuse(res: ServerResponse, status: number, body: unknown): void {
  res.setHeader("connection", "close");
  sendJson(res, status, body);
  const req = res.req;
  if (!req.complete) {
    req.resume();
    setTimeout(() => req.socket.destroy(), DRAIN_MS).unref();
  }
}
