import type { ServerResponse } from "node:http";
import type { FleetChange } from "../fleet.js";
import { NO_DISTRICT } from "../ranking.js";

/**
 * Server-sent events to the dashboards. Station status changes are coalesced per station and sent at
 * most every `intervalMs`, so a mass outage of thousands of stations is one event burst per interval,
 * not thousands of writes; each client also gets a periodic `summary` tick.
 */
export class SseHub {
  /** Each client with the district it may see (undefined: all). */
  private readonly clients = new Map<ServerResponse, string | undefined>();
  private readonly pending = new Map<string, FleetChange>();
  private timer: NodeJS.Timeout | undefined;
  private ping: NodeJS.Timeout | undefined;

  constructor(
    private readonly summary: (district?: string) => unknown,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.flush(), this.intervalMs);
    this.ping = setInterval(() => this.broadcast(": keep-alive\n\n"), 15_000);
  }

  stop(): void {
    clearInterval(this.timer);
    clearInterval(this.ping);
    for (const c of this.clients.keys()) c.end();
    this.clients.clear();
  }

  get size(): number {
    return this.clients.size;
  }

  add(res: ServerResponse, district?: string): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write(`retry: 3000\nevent: summary\ndata: ${JSON.stringify(this.summary(district))}\n\n`);
    this.clients.set(res, district);
    res.on("close", () => this.clients.delete(res));
  }

  change(c: FleetChange): void {
    this.pending.set(c.station, c);
  }

  private flush(): void {
    if (this.clients.size === 0) {
      this.pending.clear();
      return;
    }
    if (this.pending.size === 0) return;
    const all = [...this.pending.values()].map((c) => ({ ...c, since: new Date(c.since).toISOString() }));
    this.pending.clear();
    // One message per district scope in use: a district officer's browser hears only their stations.
    const texts = new Map<string | undefined, string>();
    for (const [c, district] of this.clients) {
      let out = texts.get(district);
      if (out === undefined) {
        const changes =
          district === undefined ? all : all.filter((c) => (c.district ?? NO_DISTRICT) === district);
        // Browsers only need to know something changed beyond a few hundred; they refetch their page.
        out =
          changes.length === 0
            ? ""
            : `event: stations\ndata: ${JSON.stringify({ count: changes.length, changes: changes.slice(0, 500) })}\n\n` +
              `event: summary\ndata: ${JSON.stringify(this.summary(district))}\n\n`;
        texts.set(district, out);
      }
      if (out) c.write(out);
    }
  }

  private broadcast(text: string): void {
    for (const c of this.clients.keys()) c.write(text);
  }
}
