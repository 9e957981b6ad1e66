import { allStationsFilter } from "../contract/index.js";
import type { BusMessage, NocBus } from "./bus.js";
import type { StationCommands } from "./station-commands.js";
import type { Fleet } from "./fleet.js";
import type { CollectorStats } from "./stats.js";
import { validateMessage } from "./validate.js";

export interface CollectorOptions {
  root: string;
  /** Shared subscription group: several collectors split the stations' messages between them. */
  shareGroup?: string;
  now: () => number;
  /** Where held broker acks go (the write buffer sends each once its message's effects commit). */
  afterCommit?: (ack: () => void) => void;
}

export interface CollectorLog {
  warn(o: object, msg: string): void;
  info(o: object, msg: string): void;
}

/** At most this many log lines per reject reason per minute; the counters keep the full story. */
const LOG_BUDGET = 10;

/**
 * Subscribes to every station, validates each message against the contract and hands it to the
 * fleet. Nothing a station sends can throw out of onMessage: a bad message is counted, logged (with a
 * budget, so a flood does not become a log flood) and dropped.
 */
export class Collector {
  private logBudget = new Map<string, number>();
  private budgetMinute = 0;

  constructor(
    private readonly bus: NocBus,
    private readonly fleet: Fleet,
    private readonly commands: StationCommands,
    private readonly stats: CollectorStats,
    private readonly log: CollectorLog,
    private readonly options: CollectorOptions,
  ) {}

  get filters(): string[] {
    const all = allStationsFilter(this.options.root);
    return [
      this.options.shareGroup ? `$share/${this.options.shareGroup}/${all}` : all,
      this.commands.replyFilter,
    ];
  }

  async start(): Promise<void> {
    this.bus.onMessage((m) => this.onMessage(m));
    for (const f of this.filters) await this.bus.subscribe(f, 1);
  }

  onMessage(m: BusMessage): void {
    // Whatever becomes of the message (stored, duplicate, rejected), its ack waits for the next commit:
    // the one that holds its effects, if it had any.
    if (m.ack) (this.options.afterCommit ?? ((ack) => ack()))(m.ack);
    this.handle(m);
  }

  private handle(m: BusMessage): void {
    const now = this.options.now();
    this.stats.received++;
    try {
      const v = validateMessage(this.options.root, m.topic, m.payload);
      if (!v.ok) return this.reject(m.topic, v.reason, v.detail, now);
      if (!v.message) {
        if (v.other === "reply") this.commands.onReply(v.station, m.payload, m.correlationData);
        this.stats.ignored++;
        return;
      }
      if (!this.fleet.known(v.message.station)) {
        return this.reject(
          m.topic,
          "unknown-station",
          `station ${v.message.station} is not in the registry`,
          now,
        );
      }
      if (v.message.kind === "event" && !v.message.checked.ok) {
        const { checked } = v.message;
        const { type } = v.message.payload;
        this.stats.eventDataMismatch(type);
        this.logBudgeted(`event-data:${type}`, now, () =>
          this.log.warn(
            { topic: m.topic.slice(0, 200), type, reason: checked.reason, detail: checked.detail },
            "event stored, but its data does not match the contract; not acted on",
          ),
        );
      }
      const r = this.fleet.apply(v.message, now, m.retained);
      if (!r.duplicate) this.stats.accepted++;
    } catch (e) {
      this.reject(m.topic, "internal", e instanceof Error ? e.message : String(e), now);
    }
  }

  private reject(topic: string, reason: string, detail: string, now: number): void {
    this.stats.reject(topic, reason, detail, now);
    this.logBudgeted(reason, now, () =>
      this.log.warn({ topic: topic.slice(0, 200), reason, detail }, "message rejected"),
    );
  }

  /** At most LOG_BUDGET log lines per reason and minute: a misbehaving station must not flood the log. */
  private logBudgeted(reason: string, now: number, write: () => void): void {
    const minute = Math.floor(now / 60_000);
    if (minute !== this.budgetMinute) {
      this.budgetMinute = minute;
      this.logBudget = new Map();
    }
    const used = this.logBudget.get(reason) ?? 0;
    this.logBudget.set(reason, used + 1);
    if (used < LOG_BUDGET) write();
    else if (used === LOG_BUDGET)
      this.log.warn({ reason }, "more messages like this; counting only until the next minute");
  }
}
