/**
 * Wires the booking parts for the composition root (agent/app-services.ts): the station key, the
 * session store, the spool, the record profile, the forwarder, and the periodic housekeeping (retention,
 * abandoned sessions). Loaded only when the config has a fingerprint device or a bureau configured.
 */
import { join, resolve } from "node:path";
import type { Config } from "../../config/schema.js";
import type { SlapScanner } from "../../drivers/fingerprint/slap-scanner.js";
import type { Clock, EventSink, Logger, Service } from "../ports.js";
import { bookingRoutes } from "../api/booking-routes.js";
import { BookingError, BookingService, type SingleFingerCapturer } from "./booking-service.js";
import { Forwarder } from "./forwarder.js";
import { SessionStore } from "./session-store.js";
import { Spool, type SpoolEntry, type SpoolStats } from "./spool.js";
import { StationKey } from "./station-key.js";
import type { LocalRoute } from "../ports.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface BookingRuntimeDeps {
  config: Config;
  clock: Clock;
  events: EventSink;
  logger: Logger;
  capturer?: SingleFingerCapturer;
  slapScanner?: SlapScanner;
}

export class BookingRuntime implements Service {
  readonly name = "booking";
  readonly service: BookingService;
  readonly spool: Spool;
  readonly forwarder?: Forwarder;
  private readonly sessions: SessionStore;
  private timer?: NodeJS.Timeout;

  constructor(private readonly deps: BookingRuntimeDeps) {
    const { config } = deps;
    const b = config.booking;
    const dir = join(resolve(config.storage.dir), "bookings");
    const key = StationKey.loadOrCreate(join(resolve(config.storage.dir), "booking-key"));
    this.sessions = new SessionStore(join(dir, "sessions"), key);
    this.spool = new Spool(join(dir, "spool"));
    if (b.forward === "https" && b.bureau.url) {
      this.forwarder = new Forwarder(
        {
          url: b.bureau.url,
          station: config.station.id,
          ...(b.bureau.ca ? { ca: b.bureau.ca } : {}),
          ...(b.bureau.cert ? { cert: b.bureau.cert } : {}),
          ...(b.bureau.key ? { key: b.bureau.key } : {}),
          timeoutMs: b.bureau.timeoutMs,
          retry: b.retry,
          retentionMs: b.retentionDays * DAY,
        },
        { spool: this.spool, events: deps.events, logger: deps.logger },
      );
    }
    this.service = new BookingService({
      sessions: this.sessions,
      spool: this.spool,
      clock: deps.clock,
      events: deps.events,
      logger: deps.logger,
      ...(deps.capturer ? { capturer: deps.capturer } : {}),
      ...(deps.slapScanner ? { slapScanner: deps.slapScanner } : {}),
      // The record codecs (ANSI/NIST-ITL, WSQ) are loaded at the first seal, not at start: a station
      // seals a few records a day and the daemon's memory budget is tight (docs/agent.md).
      buildRecord: async (input) => {
        const [{ buildTransaction }, { compressor }] = await Promise.all([
          import("./record.js"),
          import("./compress.js"),
        ]);
        const profile = {
          edition: b.edition,
          ori: b.ori,
          dai: b.dai,
          tot: b.tot,
          ...(b.type2 ? { type2: b.type2 } : {}),
          compress: compressor(b.wsqBitrate),
        };
        return Buffer.from(buildTransaction(input, profile));
      },
      recipient: b.bureau.recipient,
      ori: b.ori,
      maxRejections: b.maxRejections,
      onSealed: () => this.forwarder?.kick(),
    });
  }

  async start(): Promise<void> {
    this.service.recover();
    this.housekeeping();
    this.timer = setInterval(() => this.housekeeping(), HOUR);
    this.timer.unref();
    await this.forwarder?.start();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.forwarder?.stop();
  }

  routes(): LocalRoute[] {
    return bookingRoutes({
      service: this.service,
      spool: this.spool,
      confirmReceived: (id) => this.confirmReceived(id),
    });
  }

  /** For the metrics sample: what waits for the bureau, and since when. */
  stats(now = this.deps.clock.now()): {
    spoolDepth: number;
    spoolBytes: number;
    oldestUnsentAgeS: number | null;
    openSessions: number;
  } {
    const s: SpoolStats = this.spool.stats();
    return {
      spoolDepth: s.depth,
      spoolBytes: s.bytes,
      oldestUnsentAgeS:
        s.oldestUnsentMs === null ? null : Math.max(0, Math.round((now - s.oldestUnsentMs) / 1000)),
      openSessions: this.sessions.ids().length,
    };
  }

  private confirmReceived(id: string): SpoolEntry {
    const entry = this.spool.get(id);
    if (!entry) throw new BookingError("not-found", `no sealed record ${id}`);
    if (entry.receipt) return entry;
    const done = this.spool.markReceived(
      entry,
      { at: new Date(this.deps.clock.now()).toISOString(), by: "cctns-client" },
      this.deps.config.booking.retentionDays * DAY,
    );
    this.deps.events.event("booking.forwarded", {
      booking: id,
      tcn: entry.tcn,
      bytes: entry.bytes,
      by: "cctns-client",
      waitS: Math.round((this.deps.clock.now() - Date.parse(entry.sealedAt)) / 1000),
    });
    return done;
  }

  private housekeeping(): void {
    try {
      const now = this.deps.clock.now();
      this.spool.prune(now, this.deps.config.booking.retentionDays * DAY);
      const limit = this.deps.config.booking.abandonAfterHours * HOUR;
      for (const p of this.service.list()) {
        if (now - Date.parse(p.updatedAt) > limit) {
          void this.service.abandon(p.id).catch(() => undefined);
          this.deps.logger.warn({ booking: p.id }, "unsealed booking untouched too long; deleted");
        }
      }
    } catch (e) {
      this.deps.logger.error({ err: (e as Error).message }, "booking housekeeping failed");
    }
  }
}
