/**
 * Sends sealed records from the spool to the bureau's HTTPS intake, oldest first, one at a time.
 * A record leaves the spool only after the bureau's 2xx answer (the receipt) is on disk; any other
 * answer, a cut link or a reboot means "try again later" with exponential back-off. The bureau may see a
 * record twice (kill -9 after it answered, before the receipt was written): the TCN header lets it drop
 * the duplicate.
 *
 * Request: POST <bureau.url>, body = the age file, headers X-Booking-TCN, X-Booking-Sha256, X-Station.
 */
import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import type { EventSink, Logger } from "../ports.js";
import type { Spool, SpoolEntry } from "./spool.js";

export interface ForwarderOptions {
  url: string;
  station: string;
  ca?: string;
  cert?: string;
  key?: string;
  timeoutMs: number;
  retry: { minMs: number; maxMs: number };
  retentionMs: number;
}

export interface ForwarderDeps {
  spool: Spool;
  events: EventSink;
  logger: Logger;
  now?: () => number;
}

const RECEIPT_MAX_CHARS = 512;

export class Forwarder {
  readonly name = "booking-forwarder";
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = true;
  private delayMs: number;
  private inFlight?: Promise<void>;
  private tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};

  constructor(
    private readonly opts: ForwarderOptions,
    private readonly deps: ForwarderDeps,
  ) {
    this.delayMs = opts.retry.minMs;
  }

  async start(): Promise<void> {
    // Read at start so a rotated certificate needs a restart only, and a missing file is logged clearly.
    this.tls = {
      ...(this.opts.ca ? { ca: readFileSync(this.opts.ca) } : {}),
      ...(this.opts.cert ? { cert: readFileSync(this.opts.cert) } : {}),
      ...(this.opts.key ? { key: readFileSync(this.opts.key) } : {}),
    };
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight?.catch(() => undefined);
  }

  /** Something new is in the spool, or the link came back: try now. */
  kick(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) return;
    this.inFlight = this.drain();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), ms);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        if (this.stopped) return;
        const entry = this.deps.spool.pending()[0];
        if (!entry) {
          this.delayMs = this.opts.retry.minMs;
          return;
        }
        const ok = await this.send(entry);
        if (!ok) {
          this.schedule(this.delayMs);
          this.delayMs = Math.min(this.opts.retry.maxMs, this.delayMs * 2);
          return;
        }
        this.delayMs = this.opts.retry.minMs;
      }
    } catch (e) {
      this.deps.logger.error({ err: (e as Error).message }, "booking forwarder failed; retrying later");
      this.schedule(this.delayMs);
    } finally {
      this.running = false;
    }
  }

  private async send(entry: SpoolEntry): Promise<boolean> {
    const body = this.deps.spool.read(entry.id);
    const now = this.deps.now ?? Date.now;
    if (!body) {
      // Nothing to send, ever: set it aside (so the queue moves on) and say so once.
      this.deps.spool.write({ ...entry, lost: `record file missing at ${new Date(now()).toISOString()}` });
      this.deps.events.event("booking.failed", {
        booking: entry.id,
        tcn: entry.tcn,
        stage: "forward",
        error: "record-file-missing",
      });
      this.deps.logger.error({ booking: entry.id }, "sealed record file missing from the spool; set aside");
      return true;
    }
    const started = performance.now();
    const attempt = { ...entry, attempts: entry.attempts + 1, lastAttemptAt: new Date(now()).toISOString() };
    try {
      const answer = await this.post(entry, body);
      if (answer.status < 200 || answer.status > 299) {
        throw new Error(
          `bureau answered HTTP ${answer.status}${answer.text ? `: ${answer.text.slice(0, 120)}` : ""}`,
        );
      }
      const done = this.deps.spool.markReceived(
        attempt,
        { at: new Date(now()).toISOString(), by: "bureau", status: answer.status, text: answer.text },
        this.opts.retentionMs,
      );
      this.deps.events.event("booking.forwarded", {
        booking: entry.id,
        tcn: entry.tcn,
        bytes: entry.bytes,
        attempts: done.attempts,
        status: answer.status,
        waitS: Math.round((now() - Date.parse(entry.sealedAt)) / 1000),
        uploadMs: Math.round(performance.now() - started),
      });
      this.deps.logger.info(
        { booking: entry.id, tcn: entry.tcn, attempts: done.attempts },
        "booking forwarded",
      );
      return true;
    } catch (e) {
      const message = (e as Error).message;
      this.deps.spool.write({ ...attempt, lastError: message });
      // One event per record on the first failure and then every tenth, so a long outage is not a flood.
      if (attempt.attempts === 1 || attempt.attempts % 10 === 0) {
        this.deps.events.event("booking.failed", {
          booking: entry.id,
          tcn: entry.tcn,
          stage: "forward",
          attempts: attempt.attempts,
          error: message.slice(0, 200),
        });
      }
      this.deps.logger.warn(
        { booking: entry.id, attempts: attempt.attempts, err: message, retryInMs: this.delayMs },
        "booking not forwarded yet",
      );
      return false;
    }
  }

  private post(entry: SpoolEntry, body: Buffer): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        this.opts.url,
        {
          method: "POST",
          headers: {
            "content-type": "application/octet-stream",
            "content-length": body.length,
            "x-booking-tcn": entry.tcn,
            "x-booking-sha256": entry.sha256,
            "x-station": this.opts.station,
          },
          ...this.tls,
          timeout: this.opts.timeoutMs,
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            if (text.length < RECEIPT_MAX_CHARS) text += c;
          });
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, text: text.slice(0, RECEIPT_MAX_CHARS) }),
          );
          res.on("error", reject);
        },
      );
      req.on("timeout", () =>
        req.destroy(new Error(`no answer from the bureau within ${this.opts.timeoutMs} ms`)),
      );
      req.on("error", reject);
      req.end(body);
    });
  }
}
