/**
 * N virtual stations speaking the MQTT contract against a real broker: births, retained state, metrics,
 * events, outages (power, network with outbox replay, agent), gaps, silences and Last Wills.
 *
 *   npx tsx scripts/simulate-stations.ts --url mqtt://127.0.0.1:1883 --count 200 --districts 12 --chaos
 *
 * Each station has its own connection with its own Last Will (`--pool 1`, the default). For load tests
 * beyond a process's file descriptors, `--pool K` shares one connection among K stations (no Last Will).
 */
import mqtt, { type MqttClient } from "mqtt";
import { Command, InvalidArgumentError } from "commander";
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { DEFAULT_TOPIC_ROOT, type OutageCause } from "../contract/index.js";
import { VirtualStation, type SimPublishOptions, type SimTransport } from "./sim/virtual-station.js";
import { setTimeout as sleep } from "node:timers/promises";

export const DISTRICTS = [
  "Pune",
  "Nagpur",
  "Nashik",
  "Thane",
  "Aurangabad",
  "Solapur",
  "Kolhapur",
  "Satara",
  "Sangli",
  "Jalgaon",
  "Ahmednagar",
  "Latur",
  "Amravati",
  "Akola",
  "Nanded",
  "Raigad",
  "Ratnagiri",
  "Beed",
  "Dhule",
  "Wardha",
];

export interface SimulatorOptions {
  url: string;
  root: string;
  count: number;
  prefix: string;
  firstIndex: number;
  districts: number;
  /** Metrics period per station; 0 = none (tests drive the stations by hand). */
  intervalMs: number;
  /** Stations per connection; 1 gives every station its own connection and Last Will. */
  pool: number;
  connectPerSecond: number;
  keepaliveS: number;
  /** No births or retained state, only durable messages (benchmark of the durable path alone). */
  lean?: boolean;
  /** Every Nth periodic message is an event instead of metrics (0 = metrics only). */
  eventEvery?: number;
}

function publishVia(client: MqttClient): SimTransport {
  return {
    publish: (topic: string, payload: string, o: SimPublishOptions) =>
      new Promise<void>((resolve, reject) => {
        const properties = o.correlationData ? { correlationData: o.correlationData } : undefined;
        client.publish(topic, payload, { qos: o.qos, retain: o.retain ?? false, properties }, (err) =>
          err ? reject(err) : resolve(),
        );
      }),
  };
}

/** Routes command messages arriving on a connection to the station they address. */
function routeCommands(client: MqttClient, stations: Map<string, VirtualStation>, root: string): void {
  client.on("message", (topic, payload, packet) => {
    const id = topic.slice(root.length + 1).split("/")[0] ?? "";
    const st = stations.get(id);
    if (!st) return;
    void st.handleCommand({
      topic,
      payload,
      responseTopic: packet.properties?.responseTopic,
      correlationData: packet.properties?.correlationData,
    });
  });
}

export class StationSimulator {
  readonly stations: VirtualStation[] = [];
  private readonly byId = new Map<string, VirtualStation>();
  private readonly clients = new Map<string, MqttClient>();
  private readonly timers: NodeJS.Timeout[] = [];
  errors = 0;

  constructor(readonly o: SimulatorOptions) {
    for (let i = 0; i < o.count; i++) {
      const n = o.firstIndex + i;
      const id = `${o.prefix}${String(n).padStart(5, "0")}`;
      const district = DISTRICTS[n % Math.min(o.districts, DISTRICTS.length)] as string;
      const st = new VirtualStation({ id, name: `${district} PS ${n}`, district, root: o.root });
      this.stations.push(st);
      this.byId.set(id, st);
    }
  }

  station(id: string): VirtualStation {
    const s = this.byId.get(id);
    if (!s) throw new Error(`no simulated station ${id}`);
    return s;
  }

  private connect(key: string, members: VirtualStation[], withWill: boolean): Promise<MqttClient> {
    const first = members[0] as VirtualStation;
    const client = mqtt.connect(this.o.url, {
      clientId: `sim-${key}`,
      protocolVersion: 5,
      clean: true,
      keepalive: this.o.keepaliveS,
      reconnectPeriod: 2000,
      ...(withWill
        ? {
            will: {
              topic: first.topics.state,
              payload: Buffer.from(first.willPayload),
              qos: 1,
              retain: true,
            },
          }
        : {}),
    });
    client.on("error", () => this.errors++);
    this.clients.set(key, client);
    const group = new Map(members.map((m) => [m.id, m]));
    routeCommands(client, group, this.o.root);
    const transport = publishVia(client);
    for (const m of members) m.transport = transport;
    return new Promise((resolve) =>
      client.once("connect", () => {
        client.subscribe(
          members.map((m) => m.topics.commandFilter),
          { qos: 1 },
        );
        resolve(client);
      }),
    );
  }

  /** Connects (ramped), publishes every birth, then starts each station's metrics on a staggered clock. */
  async start(): Promise<void> {
    const groups: VirtualStation[][] = [];
    for (let i = 0; i < this.stations.length; i += this.o.pool)
      groups.push(this.stations.slice(i, i + this.o.pool));
    const perTick = Math.max(1, Math.round(this.o.connectPerSecond / 10));
    for (let i = 0; i < groups.length; i += perTick) {
      const batch = groups.slice(i, i + perTick);
      await Promise.all(batch.map((g) => this.connect((g[0] as VirtualStation).id, g, this.o.pool === 1)));
      await Promise.all(batch.flat().map((s) => (this.o.lean ? Promise.resolve() : s.birth())));
      if (i + perTick < groups.length) await sleep(100);
    }
    if (this.o.intervalMs <= 0) return; // manual: the caller drives metrics
    for (const s of this.stations) {
      const first = setTimeout(() => {
        this.tick(s);
        const t = setInterval(() => this.tick(s), this.o.intervalMs);
        this.timers.push(t);
      }, Math.random() * this.o.intervalMs);
      this.timers.push(first);
    }
  }

  private readonly ticks = new Map<VirtualStation, number>();

  private tick(s: VirtualStation): void {
    // A random phase per station spreads the events over time instead of all at the 10th tick.
    const n = (this.ticks.get(s) ?? Math.floor(Math.random() * 1000)) + 1;
    this.ticks.set(s, n);
    const every = this.o.eventEvery ?? 0;
    const sent =
      every > 0 && n % every === 0
        ? s.event("fingerprint.capture", {
            device: "scanner1",
            finger: "right-thumb",
            quality: 60 + (n % 40),
            durationMs: 900,
          })
        : s.metrics();
    sent.catch(() => this.errors++);
  }

  /** Abrupt loss of the station's connection: the broker publishes its Last Will. */
  kill(id: string): void {
    const st = this.station(id);
    const client = this.clients.get(id);
    if (!client || this.o.pool !== 1) throw new Error("kill needs per-station connections (--pool 1)");
    st.transport = undefined;
    client.stream.destroy();
    client.end(true);
    this.clients.delete(id);
  }

  /** Reconnects a killed station: birth, outbox replay, then its outage record. */
  async revive(id: string, outage?: { start: number; cause: OutageCause; link?: string }): Promise<void> {
    const st = this.station(id);
    await this.connect(id, [st], true);
    if (st.mode !== "silent") st.mode = "live";
    await st.birth();
    await st.flushOutbox();
    if (outage) await st.outage(outage.start, Date.now(), outage.cause, outage.link);
  }

  /** A full outage scenario: dark for `ms`, back with the outage record. */
  async outage(id: string, cause: OutageCause, ms: number): Promise<void> {
    const st = this.station(id);
    const start = Date.now();
    st.mode = cause === "network" ? "buffering" : "dead";
    if (cause === "power") await st.setPower(true).catch(() => undefined);
    this.kill(id);
    await sleep(ms);
    if (cause === "power") {
      st.reboot();
      st.onBattery = false;
    }
    await this.revive(id, { start, cause, ...(cause === "network" ? { link: "mpls" } : {}) });
  }

  /** Random trouble for demos: outages of every cause, device faults, gaps, silences, failovers. */
  chaos(everyMs: number): void {
    const t = setInterval(() => {
      const st = this.stations[Math.floor(Math.random() * this.stations.length)];
      if (!st || st.mode !== "live") return;
      const r = Math.random();
      const ms = 20_000 + Math.random() * 60_000;
      const run = async () => {
        if (this.o.pool === 1 && r < 0.15) await this.outage(st.id, "power", ms);
        else if (this.o.pool === 1 && r < 0.3) await this.outage(st.id, "network", ms);
        else if (this.o.pool === 1 && r < 0.4) await this.outage(st.id, "agent", ms);
        else if (r < 0.55) {
          await st.setDevice(Math.random() < 0.5 ? "fp1" : "printer1", "faulted", "simulated fault");
          await sleep(ms);
          for (const d of st.devices) if (d.health === "faulted") await st.setDevice(d.id, "ready");
        } else if (r < 0.7) st.withhold = 1 + Math.floor(Math.random() * 3);
        else if (r < 0.8) {
          st.mode = "silent";
          await sleep(ms * 3);
          st.mode = "live";
        } else {
          await st.setLink("mpls", "down", false);
          await st.setLink("4g", "up", true);
          await sleep(ms);
          await st.setLink("mpls", "up", true);
          await st.setLink("4g", "up", false);
        }
      };
      run().catch(() => this.errors++);
    }, everyMs);
    this.timers.push(t);
  }

  published(): number {
    return this.stations.reduce((n, s) => n + s.published, 0);
  }

  /** Clean stop: each station publishes its shutdown state, then disconnects (no Last Will). */
  async stop(clean = true): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    const tasks: Promise<unknown>[] = [];
    for (const [key, client] of this.clients) {
      const st = this.byId.get(key);
      if (clean && st && this.o.pool === 1 && client.connected) {
        tasks.push(
          st
            .transport!.publish(st.topics.state, st.shutdownPayload(), { qos: 1, retain: true })
            .catch(() => undefined),
        );
      }
    }
    await Promise.all(tasks);
    await Promise.all([...this.clients.values()].map((c) => c.endAsync(!clean).catch(() => undefined)));
    this.clients.clear();
  }
}

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a non-negative integer");
  return n;
};

async function main(): Promise<void> {
  const p = new Command("simulate-stations")
    .option("--url <url>", "broker", "mqtt://127.0.0.1:1883")
    .option("--root <topic>", "topic root", DEFAULT_TOPIC_ROOT)
    .option("--count <n>", "stations", int, 100)
    .option("--prefix <p>", "station id prefix", "PS")
    .option("--first-index <n>", "number of the first station", int, 1)
    .option("--districts <n>", "districts to spread them over (max 20)", int, 12)
    .option("--interval <s>", "seconds between metrics per station", int, 10)
    .option("--pool <k>", "stations per connection (1 = own connection and Last Will)", int, 1)
    .option("--connect-rate <n>", "connections per second", int, 500)
    .option("--keepalive <s>", "MQTT keepalive", int, 30)
    .option("--chaos <s>", "inject a random incident every s seconds (0 = none)", int, 0)
    .option("--lean", "durable messages only, no births or retained state", false)
    .option("--event-every <n>", "every nth periodic message is an event (0 = metrics only)", int, 0)
    .parse();
  const f = p.opts<{
    url: string;
    root: string;
    count: number;
    prefix: string;
    firstIndex: number;
    districts: number;
    interval: number;
    pool: number;
    connectRate: number;
    keepalive: number;
    chaos: number;
    lean: boolean;
    eventEvery: number;
  }>();
  const sim = new StationSimulator({
    url: f.url,
    root: f.root,
    count: f.count,
    prefix: f.prefix,
    firstIndex: f.firstIndex,
    districts: Math.max(1, f.districts),
    intervalMs: f.interval * 1000,
    pool: Math.max(1, f.pool),
    connectPerSecond: Math.max(1, f.connectRate),
    keepaliveS: f.keepalive,
    lean: f.lean,
    eventEvery: f.eventEvery,
  });
  const started = Date.now();
  await sim.start();
  process.stdout.write(
    `simulating ${f.count} stations (${Math.ceil(f.count / Math.max(1, f.pool))} connections) in ${Date.now() - started} ms\n`,
  );
  if (f.chaos > 0) sim.chaos(f.chaos * 1000);
  const report = setInterval(
    () => process.stdout.write(`published ${sim.published()} errors ${sim.errors}\n`),
    10_000,
  );
  const stop = async () => {
    clearInterval(report);
    await sim.stop(true);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

const entry = process.argv[1] ? pathToFileURL(realpathSync(process.argv[1])).href : "";
if (import.meta.url === entry) {
  main().catch((e: unknown) => {
    process.stderr.write(`simulate-stations: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
