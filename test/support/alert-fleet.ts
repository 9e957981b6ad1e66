/** A real Fleet over a real SQLite store, driven by contract messages, for the alert tests. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stationTopics } from "../../contract/index.js";
import { AlertEngine } from "../../noc/alerts/engine.js";
import { parseAlerts } from "../../noc/alerts/rules.js";
import { Fleet, type RegistryEntry } from "../../noc/fleet.js";
import { CollectorStats } from "../../noc/stats.js";
import { SqliteStorage } from "../../noc/storage/index.js";
import { validateMessage } from "../../noc/validate.js";
import { WriteBuffer } from "../../noc/write-buffer.js";
import * as P from "../../scripts/sim/payloads.js";

const ROOT = "cctns/alerts";

export class AlertFleet {
  t = Date.parse("2025-03-10T06:00:00Z");
  readonly dir = mkdtempSync(join(tmpdir(), "noc-alerts-"));
  readonly storage = new SqliteStorage(join(this.dir, "noc.db"));
  readonly stats = new CollectorStats();
  readonly buffer = new WriteBuffer(this.storage, this.stats, { livenessFlushMs: 1000, maxPending: 100_000 });
  readonly fleet: Fleet;
  readonly engine: AlertEngine;

  constructor(
    readonly registry: Map<string, RegistryEntry>,
    yaml: string,
  ) {
    this.fleet = new Fleet(this.buffer, this.stats, { silentAfterMs: 180_000, registry });
    this.engine = new AlertEngine({
      fleet: this.fleet,
      storage: this.storage,
      registry,
      now: () => this.t,
      self: () => ({ ingestLagP99Ms: null, flushErrors: 0, brokerConnected: true }),
    });
    this.engine.setConfig(parseAlerts(yaml, "test.yaml"));
  }

  async start(): Promise<void> {
    await this.storage.init();
    this.fleet.load([], [], this.t);
    await this.engine.start();
  }

  private feed(station: string, topic: string, payload: unknown): void {
    const v = validateMessage(ROOT, topic, Buffer.from(JSON.stringify(payload)));
    if (!v.ok || !v.message) throw new Error(`bad test message: ${JSON.stringify(v)}`);
    this.fleet.apply(v.message, this.t, false);
    void station;
  }

  birth(id: string): void {
    const e = this.registry.get(id) ?? {};
    const ident = {
      id,
      name: e.name ?? id,
      district: e.district ?? "",
      bootId: "b",
      bootTime: "2025-03-10T00:00:00Z",
      startedAt: "2025-03-10T00:00:00Z",
    };
    this.feed(id, stationTopics(ROOT, id).state, P.birth(ident, [], [], this.t));
  }

  will(id: string): void {
    this.feed(id, stationTopics(ROOT, id).state, P.will(id));
  }

  power(id: string, onBattery: boolean): void {
    this.feed(
      id,
      stationTopics(ROOT, id).power,
      P.powerState(id, onBattery, new Date(this.t).toISOString(), this.t),
    );
  }

  /** Advances the clock and evaluates the rules. */
  async at(ms: number): Promise<void> {
    this.t += ms;
    await this.engine.tick();
  }

  async outbox() {
    return this.storage.dueOutbox(Number.MAX_SAFE_INTEGER, 10_000);
  }
}
