import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { Registry } from "prom-client";
import { readBody } from "../../contract/http-body.js";
import type { AuthGate } from "../auth/gate.js";
import { Api, HttpError } from "./api.js";
import type { SseHub } from "./sse.js";

const STATIC: Record<string, string> = {
  "/": "index.html",
  "/index.html": "index.html",
  "/app.js": "app.js",
  "/fleet.js": "fleet.js",
  "/alerts.js": "alerts.js",
  "/station.js": "station.js",
  "/i18n.js": "i18n.js",
  "/server-texts.js": "server-texts.js",
  "/i18n/en.js": "i18n/en.js",
  "/i18n/hi.js": "i18n/hi.js",
  "/style.css": "style.css",
  "/login": "login.html",
  "/login.js": "login.js",
};
/** The pages hold no data (that comes from the API, behind the gate); these keep them from being framed
 * or running anything but their own scripts. */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};
const MAX_BODY = 16 * 1024;

/** noc/public beside the sources, or the source tree's copy when running from dist/. */
function publicDir(): string {
  const candidates = [
    new URL("../public/", import.meta.url),
    new URL("../../../noc/public/", import.meta.url),
  ];
  const found = candidates.map((u) => fileURLToPath(u)).find((p) => existsSync(`${p}index.html`));
  if (!found) throw new Error("dashboard files (noc/public) not found");
  return found;
}

/** The dashboard's HTTP server: static page, JSON API, CSV, and the SSE stream. */
export class DashboardServer {
  private server: Server | undefined;
  private readonly files = new Map<string, Buffer>();

  constructor(
    private readonly api: Api,
    private readonly sse: SseHub,
    private readonly log: { warn(o: object, msg: string): void },
    private readonly gate: AuthGate,
    /** PEM certificate and key: native HTTPS for states without a reverse proxy. */
    private readonly tls?: { cert: string; key: string },
    /** Served on GET /metrics (Prometheus text format) to an authenticated caller. */
    private readonly metrics?: Registry,
  ) {
    const dir = publicDir();
    for (const f of new Set(Object.values(STATIC))) this.files.set(f, readFileSync(dir + f));
  }

  async start(port: number, host: string): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.route(req, res);
    const server = this.tls
      ? createTlsServer({ cert: this.tls.cert, key: this.tls.key }, handler)
      : createServer(handler);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    this.sse.start();
    const a = server.address() as AddressInfo;
    const shown = a.family === "IPv6" ? `[${a.address}]` : a.address;
    return `${this.tls ? "https" : "http"}://${shown === "0.0.0.0" ? "127.0.0.1" : shown}:${a.port}/`;
  }

  async stop(): Promise<void> {
    this.sse.stop();
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (!this.gate.hostAllowed(req))
        throw new HttpError(403, "this Host is not served here (--allowed-host)");
      const file = STATIC[url.pathname];
      if (file && req.method === "GET") {
        const type = TYPES[file.split(".").pop() as string] ?? "application/octet-stream";
        res.writeHead(200, {
          "content-type": type,
          "cache-control": "no-cache",
          "x-content-type-options": "nosniff",
          ...PAGE_HEADERS,
        });
        res.end(this.files.get(file));
        return;
      }
      if (
        !url.pathname.startsWith("/api/") &&
        !url.pathname.startsWith("/auth/") &&
        url.pathname !== "/metrics"
      )
        throw new HttpError(404, "not found");
      const who = await this.gate.admit(req, res, url);
      if (!who) return;
      if (url.pathname === "/metrics" && req.method === "GET" && this.metrics) {
        if (who.district !== undefined) throw new HttpError(403, "the metrics are not district-scoped");
        const text = await this.metrics.metrics();
        res.writeHead(200, { "content-type": this.metrics.contentType });
        res.end(text);
        return;
      }
      if (url.pathname === "/api/v1/stream" && req.method === "GET") {
        this.sse.add(res, who.district);
        return;
      }
      const body = await readBody(req, MAX_BODY);
      if (body === undefined) throw new HttpError(413, "request body too large", { code: "body-too-large" });
      const result = await this.api.handle(
        req.method ?? "GET",
        url.pathname,
        Object.fromEntries(url.searchParams),
        body,
        who,
      );
      if ("csv" in result) {
        res.writeHead(200, {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="${result.filename}"`,
        });
        res.end(result.csv);
      } else {
        res.writeHead(200, {
          "content-type": "application/json; charset=utf-8",
          "cache-control": "no-cache",
        });
        res.end(JSON.stringify(result.json));
      }
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500)
        this.log.warn(
          { err: e instanceof Error ? e.stack : String(e), url: req.url },
          "dashboard request failed",
        );
      if (!res.headersSent) res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      // `error` is the English as ever; a coded error adds its code and parameters (issue 18).
      const coded =
        e instanceof HttpError && e.coded ? { code: e.coded.code, params: e.coded.params ?? {} } : {};
      res.end(JSON.stringify({ error: e instanceof HttpError ? e.message : "internal error", ...coded }));
    }
  }
}
