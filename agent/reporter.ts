import type {
  DeviceState,
  EventData,
  EventType,
  LinkState,
  MetricsSample,
  PowerState,
  StateOnline,
  StationTopics,
  UptimePayload,
} from "../contract/index.js";
import type { Outbox, OutboxRow } from "./outbox.js";
import type { BrokerPublisher, Clock, EventSink, Logger, RetainedSink } from "./ports.js";

/** A message older than this when it finally goes out is marked historical even on a live connection. */
const HISTORICAL_AFTER_MS = 10_000;
const MAX_SEQ = Number.MAX_SAFE_INTEGER;
const READ_BATCH = 256;

export interface ReporterOptions {
  station: string;
  topics: StationTopics;
  session: BrokerPublisher;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  /** QoS 1 messages awaiting PUBACK at once while draining. */
  inflight: number;
  /** Runs the batched ack flush later; setTimeout by default, a manual queue in unit tests. */
  defer?: (fn: () => void, ms: number) => void;
}

/**
 * Everything the agent says goes through here. Durable messages are written to the outbox first and then
 * drained; retained state is a last-value cache republished on every connect. The drain keeps two cursors:
 * the backlog (what was queued before this connection) goes out oldest first, while messages accepted
 * during the connection go out as they come, so a long replay never starves live reporting.
 */
export class Reporter implements EventSink, RetainedSink {
  private readonly retained = new Map<string, string>();
  private readonly inFlight = new Set<number>();
  private liveMark = 0;
  private backlogCursor = 0;
  private liveCursor = 0;
  private liveBuffer: OutboxRow[] = [];
  private backlogBuffer: OutboxRow[] = [];
  private connectedAt = 0;
  private flushScheduled = false;
  private generation = 0;
  private birth: (() => StateOnline) | undefined;

  constructor(private readonly opts: ReporterOptions) {}

  setBirth(build: () => StateOnline): void {
    this.birth = build;
  }

  event<K extends EventType>(type: K, data: EventData[K], observedAt?: number): void {
    const time = observedAt ?? this.opts.clock.now();
    const clockSynced = this.opts.clock.synced();
    this.opts.outbox.enqueue("event", this.opts.topics.event, (seq) =>
      JSON.stringify({
        station: this.opts.station,
        seq,
        time: new Date(time).toISOString(),
        clockSynced,
        type,
        data,
      }),
    );
    this.pump();
  }

  metrics(sample: MetricsSample): void {
    const time = this.opts.clock.now();
    const clockSynced = this.opts.clock.synced();
    this.opts.outbox.enqueue("metrics", this.opts.topics.metrics, (seq) =>
      JSON.stringify({
        station: this.opts.station,
        seq,
        time: new Date(time).toISOString(),
        clockSynced,
        ...sample,
      }),
    );
    this.pump();
  }

  link(name: string, state: LinkState): void {
    this.retain(this.opts.topics.link(name), state);
  }
  device(id: string, state: DeviceState): void {
    this.retain(this.opts.topics.device(id), state);
  }
  power(state: PowerState): void {
    this.retain(this.opts.topics.power, state);
  }
  uptime(payload: UptimePayload): void {
    this.retain(this.opts.topics.uptime, payload);
  }

  /** Publishes only when something other than the sample time changed; the cache always holds the latest. */
  retain(topic: string, payload: unknown): void {
    const text = JSON.stringify(payload);
    const previous = this.retained.get(topic);
    this.retained.set(topic, text);
    if (previous !== undefined && withoutTime(previous) === withoutTime(text)) return;
    if (this.opts.session.connected) this.publishRetained(topic, text);
  }

  /** Birth, then every retained topic (the broker may have lost them), then the drain. */
  onConnected(): void {
    this.generation++;
    this.inFlight.clear();
    this.connectedAt = this.opts.clock.now();
    this.liveMark = this.opts.outbox.lastSeq;
    this.backlogCursor = 0;
    this.liveCursor = this.liveMark;
    this.liveBuffer = [];
    this.backlogBuffer = [];
    this.publishBirth();
    for (const [topic, text] of this.retained) this.publishRetained(topic, text);
    this.pump();
  }

  /** Republish birth and all retained state (the `rebirth` command). */
  rebirth(): void {
    if (!this.opts.session.connected) return;
    this.publishBirth();
    for (const [topic, text] of this.retained) this.publishRetained(topic, text);
  }

  /** Send stored messages again (the `resend` command); always marked historical. */
  async resend(rows: OutboxRow[]): Promise<void> {
    for (const r of rows) await this.opts.session.publish(r.topic, markHistorical(r.payload), { qos: 1 });
  }

  private publishBirth(): void {
    this.publishRetained(this.opts.topics.state, JSON.stringify(this.birth?.() ?? {}));
  }

  private publishRetained(topic: string, text: string): void {
    this.opts.session.publish(topic, text, { qos: 1, retain: true }).catch((e: Error) => {
      this.opts.log.debug(
        { topic, err: e.message },
        "retained publish not acknowledged; republished on reconnect",
      );
    });
  }

  /**
   * Keep `inflight` messages awaiting PUBACK at all times: refilling on every acknowledgement keeps the TCP
   * stream busy (refilling in half-window bursts left the link idle for a round trip each time). Rows are
   * read from SQLite in batches into small buffers, live ones first.
   */
  pump(): void {
    if (!this.opts.session.connected) return;
    const now = this.opts.clock.now();
    const gen = this.generation;
    while (this.inFlight.size < this.opts.inflight) {
      const row = this.nextRow();
      if (!row) return;
      const historical = row.createdMs < this.connectedAt || now - row.createdMs > HISTORICAL_AFTER_MS;
      this.inFlight.add(row.seq);
      this.opts.session
        .publish(row.topic, historical ? markHistorical(row.payload) : row.payload, { qos: 1 })
        .then(() => {
          this.opts.outbox.ack(row.seq);
          this.scheduleFlush();
          if (gen !== this.generation) return;
          this.inFlight.delete(row.seq);
          this.pump();
        })
        .catch(() => {
          // The connection dropped before PUBACK; onConnected() starts the drain over from the outbox.
        });
    }
  }

  private nextRow(): OutboxRow | undefined {
    if (this.liveBuffer.length === 0 && this.opts.outbox.lastSeq > this.liveCursor) {
      this.liveBuffer = this.opts.outbox.readRange(this.liveCursor, MAX_SEQ, READ_BATCH);
      if (this.liveBuffer.length > 0) this.liveCursor = this.liveBuffer[this.liveBuffer.length - 1]!.seq;
    }
    if (this.liveBuffer.length > 0) return this.liveBuffer.shift();
    if (this.backlogBuffer.length === 0 && this.backlogCursor < this.liveMark) {
      this.backlogBuffer = this.opts.outbox.readRange(this.backlogCursor, this.liveMark, READ_BATCH);
      this.backlogCursor =
        this.backlogBuffer.length > 0
          ? this.backlogBuffer[this.backlogBuffer.length - 1]!.seq
          : this.liveMark;
    }
    return this.backlogBuffer.shift();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Batch acknowledgements: one transaction per 25 ms instead of one per PUBACK.
    (this.opts.defer ?? setTimeout)(() => {
      this.flushScheduled = false;
      try {
        this.opts.outbox.flushAcks();
      } catch (e) {
        this.opts.log.error({ err: (e as Error).message }, "outbox ack flush failed");
      }
    }, 25);
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }
}

function withoutTime(text: string): string {
  return text.replace(/"time":"[^"]*"/, "");
}

export function markHistorical(payload: string): string {
  return payload.endsWith("}") ? `${payload.slice(0, -1)},"historical":true}` : payload;
}
