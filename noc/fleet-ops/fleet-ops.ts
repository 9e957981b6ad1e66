import type { CommandReply } from "../../contract/index.js";
import type { Fleet } from "../fleet.js";
import { NO_DISTRICT } from "../ranking.js";
import type { Storage } from "../storage/index.js";
import { ConfigPush, type PushStation } from "./config-push.js";
import { RolloutEngine, type RolloutStation } from "./rollout-engine.js";

export interface FleetOpsDeps {
  fleet: Fleet;
  storage: Pick<Storage, "getMeta" | "setMeta">;
  send(station: string, name: string, args: Record<string, unknown>): Promise<CommandReply>;
  now(): number;
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void };
  /** Resend a config fragment that got no answer after this long. */
  retryMs?: number;
}

const CONFIG_KEY = "fleet.config-push";
const ROLLOUT_KEY = "fleet.rollouts";

/**
 * Config releases and rollouts wired to the NOC's live view of the stations: "online" is status up,
 * a station's version is its birth's agentVersion, its fragment version its birth's configFragment.
 * Only one NOC process may drive these (see NocOptions.fleetOps): two would send every command twice.
 */
export class FleetOps {
  readonly config: ConfigPush;
  readonly rollouts: RolloutEngine;

  constructor(private readonly d: FleetOpsDeps) {
    this.config = new ConfigPush({
      stations: () => this.pushStations(),
      send: (station, args) => d.send(station, "config-apply", args),
      load: () => d.storage.getMeta(CONFIG_KEY),
      save: (json) => d.storage.setMeta(CONFIG_KEY, json),
      now: () => d.now(),
      log: d.log,
      ...(d.retryMs !== undefined ? { retryMs: d.retryMs } : {}),
    });
    this.rollouts = new RolloutEngine({
      stations: () => this.rolloutStations(),
      sendUpdate: (station, args) => d.send(station, "update", args),
      load: () => d.storage.getMeta(ROLLOUT_KEY),
      save: (json) => d.storage.setMeta(ROLLOUT_KEY, json),
      now: () => d.now(),
      log: d.log,
    });
  }

  async load(): Promise<void> {
    await this.config.load();
    await this.rollouts.load();
  }

  async tick(): Promise<void> {
    await this.config.tick();
    await this.rollouts.tick();
  }

  /** A station's event (already validated against the contract) as the collector accepted it. */
  onEvent(station: string, type: string, data: Record<string, unknown>): void {
    if (type.startsWith("config.")) this.config.onEvent(station, type, data);
    else if (type.startsWith("update.")) this.rollouts.onEvent(station, type, data);
  }

  pushStations(district?: string): PushStation[] {
    const out: PushStation[] = [];
    for (const { row } of this.d.fleet.stations.values()) {
      if (district !== undefined && (row.district ?? NO_DISTRICT) !== district) continue;
      out.push({
        id: row.id,
        ...(row.district !== undefined ? { district: row.district } : {}),
        online: row.status === "up",
        fragmentVersion: row.info.configFragment?.version ?? null,
      });
    }
    return out;
  }

  rolloutStations(): RolloutStation[] {
    return [...this.d.fleet.stations.values()].map(({ row }) => ({
      id: row.id,
      district: row.district ?? null,
      online: row.status === "up",
      version: row.info.agentVersion ?? null,
    }));
  }

  /** How many stations run each agent version and each config fragment version (one district or all). */
  versions(district?: string): {
    agent: Record<string, number>;
    fragment: Record<string, number>;
    stations: number;
  } {
    const agent: Record<string, number> = {};
    const fragment: Record<string, number> = {};
    let stations = 0;
    for (const { row } of this.d.fleet.stations.values()) {
      if (district !== undefined && (row.district ?? NO_DISTRICT) !== district) continue;
      stations++;
      const a = row.info.agentVersion ?? "(not reported)";
      agent[a] = (agent[a] ?? 0) + 1;
      const f = row.info.configFragment?.version ?? "(none)";
      fragment[f] = (fragment[f] ?? 0) + 1;
    }
    return { agent, fragment, stations };
  }
}
