/**
 * Sends what the outbox holds. A row is marked sent only after the channel accepted it; a failure is
 * retried with doubling back-off until `giveUpAfter`, each result recorded on the alert. A NOC that
 * stops (or crashes) leaves unsent rows pending for the next start. The only repeat possible is a
 * message accepted just before a crash and not yet marked; it carries the same delivery id (webhook
 * header, email Message-ID), so a receiver can drop it.
 */
import type { Logger } from "pino";
import type { AlertEventRow, OutboxRow } from "../alerts/model.js";
import type { AlertsConfig } from "../alerts/rules.js";
import type { Storage } from "../storage/index.js";
import { makeSender, PermanentError, type Sender } from "./channels.js";

/** At most `perMinute` sends a minute per channel, as a token bucket refilled continuously. */
class RateLimit {
  private tokens: number;
  private at: number;
  constructor(
    private readonly perMinute: number,
    now: number,
  ) {
    this.tokens = perMinute;
    this.at = now;
  }
  /** 0 when a send may go now (and takes the token), else ms to wait. */
  take(now: number): number {
    this.tokens = Math.min(this.perMinute, this.tokens + ((now - this.at) * this.perMinute) / 60_000);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute);
  }
}

export class Dispatcher {
  private senders = new Map<string, Sender>();
  private limits = new Map<string, RateLimit>();
  private config: AlertsConfig | undefined;
  sent = 0;
  givenUp = 0;

  constructor(
    private readonly storage: Storage,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    /** The stations' zone, for times in Hindi notices. */
    private readonly timeZone = "Asia/Kolkata",
  ) {}

  /** New channels from a (re)loaded rules file; a channel that cannot be built is logged and left out. */
  setConfig(c: AlertsConfig): void {
    for (const s of this.senders.values()) s.close?.();
    this.senders.clear();
    this.limits.clear();
    this.config = c;
    for (const [name, ch] of Object.entries(c.channels)) {
      try {
        this.senders.set(name, makeSender(name, ch, this.timeZone));
        this.limits.set(name, new RateLimit(ch.ratePerMinute, this.now()));
      } catch (e) {
        this.log.error({ channel: name, err: (e as Error).message }, "notification channel not usable");
      }
    }
  }

  /** Sends the due rows: channels in parallel, each channel's rows in order. */
  async tick(limit = 200): Promise<void> {
    if (!this.config) return;
    const due = await this.storage.dueOutbox(this.now(), limit);
    const byChannel = new Map<string, OutboxRow[]>();
    for (const r of due) byChannel.set(r.channel, [...(byChannel.get(r.channel) ?? []), r]);
    await Promise.all([...byChannel].map(([ch, rows]) => this.channel(ch, rows)));
  }

  private async channel(name: string, rows: OutboxRow[]): Promise<void> {
    for (const row of rows) {
      const sender = this.senders.get(name);
      const now = this.now();
      if (!sender) {
        await this.finish(row, now, "failed", `no channel ${name} in the rules file`);
        continue;
      }
      const wait = this.limits.get(name)?.take(now) ?? 0;
      if (wait > 0) {
        // Rate limited: every remaining row of this channel waits; no attempt is counted.
        const later = rows.slice(rows.indexOf(row)).map((r) => ({ ...r, nextAt: now + wait }));
        await this.storage.writeAlerts({ alerts: [], events: [], outbox: later, maintenance: [] });
        return;
      }
      try {
        const result = await sender.send(row.recipient, row.payload);
        this.sent++;
        await this.finish(
          row,
          this.now(),
          "sent",
          `${row.reason} via ${name} to ${row.recipient || "(webhook)"}: ${result}`,
        );
      } catch (e) {
        await this.retryOrFail(row, e as Error);
      }
    }
  }

  private async retryOrFail(row: OutboxRow, e: Error): Promise<void> {
    const now = this.now();
    const retry = this.config?.retry ?? { first: 5000, max: 600_000, giveUpAfter: 86_400_000 };
    const attempts = row.attempts + 1;
    const why = `${row.reason} via ${row.channel} to ${row.recipient || "(webhook)"} failed (attempt ${attempts}): ${e.message}`;
    if (e instanceof PermanentError || now - row.createdAt >= retry.giveUpAfter) {
      this.givenUp++;
      await this.finish({ ...row, attempts }, now, "failed", why);
      return;
    }
    const nextAt = now + Math.min(retry.max, retry.first * 2 ** (attempts - 1));
    this.log.warn(
      { alert: row.alertId, channel: row.channel, err: e.message, attempts },
      "notification failed; will retry",
    );
    const event: AlertEventRow = {
      alertId: row.alertId,
      at: now,
      actor: "station-noc",
      action: "send-retry",
      detail: why,
    };
    await this.storage.writeAlerts({
      alerts: [],
      events: [event],
      outbox: [{ ...row, attempts, nextAt, lastError: e.message }],
      maintenance: [],
    });
  }

  private async finish(row: OutboxRow, now: number, state: "sent" | "failed", detail: string): Promise<void> {
    const event: AlertEventRow = {
      alertId: row.alertId,
      at: now,
      actor: "station-noc",
      action: state,
      detail,
    };
    const done: OutboxRow = {
      ...row,
      state,
      ...(state === "sent" ? { sentAt: now } : { lastError: detail }),
    };
    await this.storage.writeAlerts({ alerts: [], events: [event], outbox: [done], maintenance: [] });
  }

  close(): void {
    for (const s of this.senders.values()) s.close?.();
  }
}
