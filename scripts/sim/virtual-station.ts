import { randomUUID } from "node:crypto";
import { CommandHandler, type HistoryMessage, type IncomingCommand } from "../../agent/commands/index.js";
import {
  stationTopics,
  type EventData,
  type EventType,
  type OutageCause,
  type StationTopics,
} from "../../contract/index.js";
import * as P from "./payloads.js";

export interface SimPublishOptions {
  qos: 0 | 1;
  retain?: boolean;
  responseTopic?: string;
  correlationData?: Buffer;
}

/** How a virtual station reaches the broker: its own connection (with its Last Will) or a shared one. */
export interface SimTransport {
  publish(topic: string, payload: string, options: SimPublishOptions): Promise<void>;
}

export interface VirtualStationOptions {
  id: string;
  name: string;
  district: string;
  root: string;
  /** Durable messages kept for `resend`. */
  historyLimit?: number;
  now?: () => number;
}

/**
 * One simulated station speaking the contract: birth and retained state, metrics and events with a
 * per-station seq, a history window for resend, and the real agent command handler for commands.
 */
export class VirtualStation {
  readonly id: string;
  readonly topics: StationTopics;
  seq = 0;
  readonly links: P.SimLink[];
  readonly devices: P.SimDevice[];
  onBattery = false;
  powerSince: string;
  transport: SimTransport | undefined;
  /** Durable messages still to be withheld: they get a seq and go to history but not to the broker. */
  withhold = 0;
  /**
   * live: publishes; buffering: disconnected but running (messages go to the outbox, replayed later as
   * historical); dead: agent or machine down, nothing happens; silent: connected but publishing nothing.
   */
  mode: "live" | "buffering" | "dead" | "silent" = "live";
  private outbox: HistoryMessage[] = [];
  private readonly history = new Map<number, HistoryMessage>();
  private readonly identity: P.SimIdentity;
  private readonly now: () => number;
  readonly commands: CommandHandler;
  published = 0;

  constructor(private readonly o: VirtualStationOptions) {
    this.id = o.id;
    this.now = o.now ?? Date.now;
    this.topics = stationTopics(o.root, o.id);
    const t = new Date(this.now()).toISOString();
    this.powerSince = t;
    this.links = [
      { name: "mpls", role: "primary", state: "up", active: true, since: t },
      { name: "4g", role: "backup", state: "up", active: false, since: t },
    ];
    this.devices = [
      { id: "fp1", kind: "fingerprint", health: "ready", since: t },
      { id: "printer1", kind: "printer", health: "ready", since: t },
    ];
    this.identity = {
      id: o.id,
      name: o.name,
      district: o.district,
      bootId: randomUUID(),
      bootTime: t,
      startedAt: t,
    };
    this.commands = new CommandHandler({
      station: o.id,
      topicRoot: o.root,
      clock: { now: this.now },
      log: { info: () => undefined, warn: () => undefined },
      maxAgeS: 300,
      ratePerMinute: 60,
      allowUnsigned: true,
      rebirth: () => this.birth(),
      readHistory: (from, to) => this.readHistory(from, to),
      republish: async (messages) => {
        for (const m of messages) await this.send(m.topic, String(m.payload), { qos: 1 });
      },
      diagnose: async () => ({ simulated: true, checks: [{ name: "mqtt", ok: true }], seq: this.seq }),
      reply: (topic, correlationData, payload) =>
        this.send(topic, JSON.stringify(payload), {
          qos: 1,
          ...(correlationData ? { correlationData } : {}),
        }),
    });
  }

  get willPayload(): string {
    return JSON.stringify(P.will(this.id));
  }

  private send(topic: string, payload: string, o: SimPublishOptions): Promise<void> {
    if (!this.transport) return Promise.reject(new Error(`${this.id} not connected`));
    this.published++;
    return this.transport.publish(topic, payload, o);
  }

  /** Birth plus every retained current-state topic (also what `rebirth` republishes). */
  async birth(): Promise<void> {
    const now = this.now();
    const t = this.topics;
    await this.send(t.state, JSON.stringify(P.birth(this.identity, this.links, this.devices, now)), {
      qos: 1,
      retain: true,
    });
    for (const l of this.links)
      await this.send(t.link(l.name), JSON.stringify(P.linkState(this.id, l, now)), { qos: 1, retain: true });
    for (const d of this.devices)
      await this.send(t.device(d.id), JSON.stringify(P.deviceState(this.id, d, now)), {
        qos: 1,
        retain: true,
      });
    await this.send(t.power, JSON.stringify(P.powerState(this.id, this.onBattery, this.powerSince, now)), {
      qos: 1,
      retain: true,
    });
  }

  /** Publishes a clean shutdown (what the agent does on SIGTERM before disconnecting). */
  shutdownPayload(): string {
    return JSON.stringify(P.shutdown(this.id, this.now()));
  }

  private durable(topic: string, build: (seq: number, historical: boolean) => object): Promise<void> {
    if (this.mode === "dead" || this.mode === "silent") return Promise.resolve();
    const seq = ++this.seq;
    const payload = JSON.stringify(build(seq, this.mode === "buffering"));
    const m = { seq, topic, payload };
    this.history.set(seq, m);
    if (this.history.size > (this.o.historyLimit ?? 5000))
      this.history.delete(this.history.keys().next().value as number);
    if (this.mode === "buffering") {
      this.outbox.push(m);
      return Promise.resolve();
    }
    if (this.withhold > 0) {
      this.withhold--;
      return Promise.resolve();
    }
    return this.send(topic, payload, { qos: 1 });
  }

  metrics(at = this.now()): Promise<void> {
    const started = Date.parse(this.identity.startedAt);
    return this.durable(this.topics.metrics, (seq, hist) =>
      P.metrics(this.id, seq, at, started, this.links, hist),
    );
  }

  event<K extends EventType>(type: K, data: EventData[K], at = this.now()): Promise<void> {
    return this.durable(this.topics.event, (seq, hist) => P.event(this.id, seq, at, type, data, hist));
  }

  /** The outage record the agent's ledger sends once it is back. */
  outage(start: number, end: number, cause: OutageCause, link?: string): Promise<void> {
    return this.event("outage", P.outage(start, end, cause, link), end);
  }

  /** Back online after buffering: the outbox goes out in order, marked historical. */
  async flushOutbox(): Promise<number> {
    const out = this.outbox;
    this.outbox = [];
    for (const m of out) await this.send(m.topic, String(m.payload), { qos: 1 });
    return out.length;
  }

  async setLink(name: string, state: P.SimLink["state"], active: boolean): Promise<void> {
    const l = this.links.find((x) => x.name === name);
    if (!l) throw new Error(`no link ${name}`);
    const now = this.now();
    const from = l.state;
    Object.assign(l, { state, active, since: new Date(now).toISOString() });
    await this.send(this.topics.link(name), JSON.stringify(P.linkState(this.id, l, now)), {
      qos: 1,
      retain: true,
    });
    const base = { link: name, interface: `sim-${name}`, role: l.role, from, evidence: {} };
    if (state === "up") await this.event("link.up", { ...base, reason: "probes answered again" });
    else
      await this.event(state === "down" ? "link.down" : "link.degraded", {
        ...base,
        reason: "simulated",
        firstFailAt: new Date(now).toISOString(),
      });
  }

  async setDevice(id: string, health: P.SimDevice["health"], reason?: string): Promise<void> {
    const d = this.devices.find((x) => x.id === id);
    if (!d) throw new Error(`no device ${id}`);
    const now = this.now();
    const previous = d.health;
    Object.assign(d, { health, reason, since: new Date(now).toISOString() });
    await this.send(this.topics.device(id), JSON.stringify(P.deviceState(this.id, d, now)), {
      qos: 1,
      retain: true,
    });
    await this.event(`device.${health}`, {
      device: id,
      kind: d.kind,
      driver: `sim-${d.kind}`,
      previous,
      ...(reason ? { reason } : {}),
    });
  }

  async setPower(onBattery: boolean): Promise<void> {
    const now = this.now();
    const batterySince = Date.parse(this.powerSince);
    this.onBattery = onBattery;
    this.powerSince = new Date(now).toISOString();
    await this.send(
      this.topics.power,
      JSON.stringify(P.powerState(this.id, onBattery, this.powerSince, now)),
      { qos: 1, retain: true },
    );
    const p = P.powerState(this.id, onBattery, this.powerSince, now);
    const figures = { batteryPct: p.batteryPct, runtimeS: p.runtimeS };
    if (onBattery) await this.event("power.mains-lost", figures);
    else
      await this.event("power.mains-restored", {
        ...figures,
        onBatteryS: Math.round((now - batterySince) / 1000),
      });
  }

  /** The station loses these seqs from its history (retention): a resend reports them gone. */
  forget(fromSeq: number, toSeq: number): void {
    for (let s = fromSeq; s <= toSeq; s++) this.history.delete(s);
  }

  readHistory(
    from: number,
    to: number,
  ): { messages: HistoryMessage[]; gone: { fromSeq: number; toSeq: number }[] } {
    const messages: HistoryMessage[] = [];
    const gone: { fromSeq: number; toSeq: number }[] = [];
    for (let s = from; s <= to && s <= this.seq; s++) {
      const m = this.history.get(s);
      if (m) messages.push(m);
      else {
        const last = gone[gone.length - 1];
        if (last && last.toSeq === s - 1) last.toSeq = s;
        else gone.push({ fromSeq: s, toSeq: s });
      }
    }
    return { messages, gone };
  }

  handleCommand(c: IncomingCommand): Promise<void> {
    return this.commands.handle(c);
  }

  /** A new boot (after a power cut): new boot id and start time. */
  reboot(): void {
    const t = new Date(this.now()).toISOString();
    Object.assign(this.identity, { bootId: randomUUID(), bootTime: t, startedAt: t });
  }
}
