import { randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { dirname } from "node:path";
import { readBody } from "../contract/http-body.js";
import type { Logger, LocalRoute } from "./ports.js";

const MAX_BODY = 8 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Read the bearer token, creating it (0600) on first run. */
export function ensureToken(file: string): string {
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dirname(file), { recursive: true });
  const token = randomBytes(24).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * The loopback API for the station's own software (the CCTNS client) and for `station-agent status`.
 * Only loopback peers are served; routes marked auth need `Authorization: Bearer <token>`.
 */
export class LocalApi {
  private server?: Server;
  private readonly routes = new Map<string, LocalRoute>();
  port = 0;

  constructor(
    private readonly opts: { port: number; token: string; log: Logger },
    routes: LocalRoute[] = [],
  ) {
    for (const r of routes) this.add(r);
  }

  add(route: LocalRoute): void {
    this.routes.set(`${route.method} ${route.path}`, route);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.opts.port, "127.0.0.1", () => {
        const a = server.address();
        this.port = typeof a === "object" && a ? a.port : this.opts.port;
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const peer = req.socket.remoteAddress ?? "";
      if (!(peer === "127.0.0.1" || peer === "::1" || peer === "::ffff:127.0.0.1")) {
        return sendJson(res, 403, { error: "only loopback clients are served" });
      }
      const path = (req.url ?? "/").split("?")[0]!;
      const route = this.routes.get(`${req.method} ${path}`);
      if (!route) {
        const other = [...this.routes.values()].some((r) => r.path === path);
        return sendJson(res, other ? 405 : 404, { error: other ? "method not allowed" : "no such endpoint" });
      }
      if (route.auth && !this.authorised(req.headers.authorization)) {
        return sendJson(res, 401, {
          error: "missing or wrong bearer token (see the api-token file in the state dir)",
        });
      }
      const body = await readBody(req, MAX_BODY);
      if (body === undefined) return sendJson(res, 413, { error: `body larger than ${MAX_BODY} bytes` });
      await route.handle(req, res, body);
    } catch (e) {
      this.opts.log.error({ err: (e as Error).message, url: req.url }, "local api handler failed");
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      else res.end();
    }
  }

  private authorised(header: string | undefined): boolean {
    const m = /^Bearer (.+)$/.exec(header ?? "");
    if (!m) return false;
    const a = Buffer.from(m[1]!);
    const b = Buffer.from(this.opts.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }
}
