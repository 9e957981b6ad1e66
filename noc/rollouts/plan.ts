import { createHash } from "node:crypto";

/**
 * A staged agent update across the state: rings of stations, each of which must come back on the new
 * version, with no rollback, and stay so for a soak time before the next ring starts. Pure: the engine
 * feeds it what the stations reported and carries out the actions it returns.
 */

export type RingSpec =
  | { name: string; stations: string[] }
  | { name: string; district: string }
  | { name: string; percent: number }
  | { name: string; all: true };

export interface RolloutSpec {
  id: string;
  version: string;
  rings: RingSpec[];
  /** How long every station of a ring must stay healthy on the new version before the next ring. */
  soakMs: number;
  /** Halt when more than this share of a ring's stations failed (a rollback always halts). */
  maxFailurePct: number;
  /** How long a station may take to come back on the new version before it counts as failed. */
  stationDeadlineMs: number;
}

export interface StationInfo {
  id: string;
  district: string | null;
}

/** What the NOC knows of one station in the rollout. */
export interface StationProgress {
  ring: number;
  sentAt: number | null;
  /** First time the station was seen online on the target version, after sending. */
  onTargetAt: number | null;
  outcome: "pending" | "applied" | "rolled-back" | "failed";
  reason?: string;
}

export interface RolloutState {
  spec: RolloutSpec;
  status: "running" | "halted" | "done";
  ring: number;
  ringSoakStartedAt: number | null;
  haltReason?: string;
  /** haltReason as a stable code and parameters (issue 18: the dashboard words it in Hindi too);
   * absent on rollouts halted before. */
  haltCode?: HaltCode;
  haltParams?: Record<string, string | number>;
  stations: Record<string, StationProgress>;
}

export interface Observation {
  online: boolean;
  version: string | null;
}

/** Why a rollout stopped: by a person, a station undoing the update, too many failures in a ring. */
export const HALT_CODES = ["halted-by", "station-rolled-back", "ring-failed"] as const;
export type HaltCode = (typeof HALT_CODES)[number];

export type RolloutAction = { kind: "send-update"; station: string } | { kind: "notice"; text: string };

/** Which ring each station falls in: earlier rings claim first; a percentage is of the stations left. */
export function assignRings(spec: RolloutSpec, stations: readonly StationInfo[]): Record<string, number> {
  const ring: Record<string, number> = {};
  const left = () => stations.filter((s) => ring[s.id] === undefined);
  spec.rings.forEach((r, i) => {
    let chosen: StationInfo[];
    if ("stations" in r) chosen = left().filter((s) => r.stations.includes(s.id));
    else if ("district" in r) chosen = left().filter((s) => s.district === r.district);
    else if ("percent" in r) {
      // Stable across NOC restarts and independent of list order: the lowest hashes of (rollout, station).
      const pool = left().sort((a, b) => (hash(spec.id, a.id) < hash(spec.id, b.id) ? -1 : 1));
      chosen = pool.slice(0, Math.ceil((pool.length * r.percent) / 100));
    } else chosen = left();
    for (const s of chosen) ring[s.id] = i;
  });
  return ring;
}

export function startRollout(spec: RolloutSpec, stations: readonly StationInfo[]): RolloutState {
  if (!/^(?:\d{1,5}:)?[0-9][A-Za-z0-9.+~]{0,63}(?:-[A-Za-z0-9.+~]{1,32})?$/.test(spec.version))
    throw new Error(`not a package version: ${spec.version}`);
  if (spec.rings.length === 0) throw new Error("a rollout needs at least one ring");
  const rings = assignRings(spec, stations);
  const state: RolloutState = { spec, status: "running", ring: 0, ringSoakStartedAt: null, stations: {} };
  for (const [id, ring] of Object.entries(rings))
    state.stations[id] = { ring, sentAt: null, onTargetAt: null, outcome: "pending" };
  skipEmptyRings(state);
  return state;
}

/** The station's outcome event from its upgrade runner (update.applied / rolled-back / failed). */
export function recordOutcome(
  state: RolloutState,
  station: string,
  outcome: "applied" | "rolled-back" | "failed",
  reason: string,
): void {
  const s = state.stations[station];
  if (!s || s.outcome !== "pending") return;
  s.outcome = outcome;
  s.reason = reason;
}

/**
 * One evaluation: sends to the current ring's online stations not sent yet, judges the ring, and moves
 * on, halts or finishes. Returns what the engine must do.
 */
export function step(
  state: RolloutState,
  observe: (station: string) => Observation,
  now: number,
): RolloutAction[] {
  if (state.status !== "running") return [];
  const actions: RolloutAction[] = [];
  const ring = ringStations(state, state.ring);
  for (const [id, s] of ring) {
    const o = observe(id);
    if (s.sentAt === null) {
      if (o.online) {
        s.sentAt = now;
        actions.push({ kind: "send-update", station: id });
      }
      continue;
    }
    if (o.online && o.version !== null && sameVersion(o.version, state.spec.version)) s.onTargetAt ??= now;
    if (s.outcome === "pending" && s.onTargetAt === null && now - s.sentAt > state.spec.stationDeadlineMs) {
      s.outcome = "failed";
      s.reason = `not back on ${state.spec.version} within ${Math.round(state.spec.stationDeadlineMs / 60_000)} min`;
    }
  }
  const rolledBack = ring.filter(([, s]) => s.outcome === "rolled-back");
  if (rolledBack.length > 0)
    return halt(state, actions, `${rolledBack[0]![0]} rolled back: ${rolledBack[0]![1].reason ?? ""}`, {
      code: "station-rolled-back",
      params: { station: rolledBack[0]![0], reason: rolledBack[0]![1].reason ?? "" },
    });
  const failed = ring.filter(([, s]) => s.outcome === "failed").length;
  if (ring.length > 0 && (100 * failed) / ring.length > state.spec.maxFailurePct) {
    const name = state.spec.rings[state.ring]!.name;
    return halt(state, actions, `${failed} of ${ring.length} stations in ring "${name}" failed`, {
      code: "ring-failed",
      params: { failed, total: ring.length, ring: name },
    });
  }
  // The ring is through when every station is either on the target version or counted as failed
  // (within the allowed share); stations not reached yet (offline) hold the ring.
  const settled = ring.every(([, s]) => s.onTargetAt !== null || s.outcome === "failed");
  if (!settled) {
    state.ringSoakStartedAt = null;
    return actions;
  }
  state.ringSoakStartedAt ??= now;
  if (now - state.ringSoakStartedAt < state.spec.soakMs) return actions;
  actions.push({
    kind: "notice",
    text: `ring "${state.spec.rings[state.ring]!.name}" done: ${ring.length - failed} of ${ring.length} on ${state.spec.version}`,
  });
  state.ring += 1;
  state.ringSoakStartedAt = null;
  skipEmptyRings(state);
  if (state.ring >= state.spec.rings.length) {
    state.status = "done";
    actions.push({ kind: "notice", text: `rollout of ${state.spec.version} done` });
  }
  return actions;
}

export function summary(state: RolloutState): {
  ring: number;
  rings: {
    name: string;
    stations: number;
    onTarget: number;
    failed: number;
    rolledBack: number;
    pending: number;
  }[];
} {
  return {
    ring: state.ring,
    rings: state.spec.rings.map((r, i) => {
      const list = ringStations(state, i).map(([, s]) => s);
      return {
        name: r.name,
        stations: list.length,
        onTarget: list.filter((s) => s.onTargetAt !== null).length,
        failed: list.filter((s) => s.outcome === "failed").length,
        rolledBack: list.filter((s) => s.outcome === "rolled-back").length,
        pending: list.filter((s) => s.onTargetAt === null && s.outcome === "pending").length,
      };
    }),
  };
}

function halt(
  state: RolloutState,
  actions: RolloutAction[],
  reason: string,
  coded: { code: HaltCode; params: Record<string, string | number> },
): RolloutAction[] {
  state.status = "halted";
  state.haltReason = reason;
  state.haltCode = coded.code;
  state.haltParams = coded.params;
  actions.push({ kind: "notice", text: `rollout of ${state.spec.version} halted: ${reason}` });
  return actions;
}

function ringStations(state: RolloutState, ring: number): [string, StationProgress][] {
  return Object.entries(state.stations).filter(([, s]) => s.ring === ring);
}

function skipEmptyRings(state: RolloutState): void {
  while (state.ring < state.spec.rings.length && ringStations(state, state.ring).length === 0)
    state.ring += 1;
  if (state.ring >= state.spec.rings.length) state.status = "done";
}

/** The agent reports its upstream version ("0.2.0"); the rollout names a Debian one ("1:0.2.0-1"). */
export function sameVersion(reported: string, debian: string): boolean {
  const upstream = debian.replace(/^\d+:/, "").replace(/-[^-]*$/, "");
  return reported === debian || reported === upstream;
}

function hash(rollout: string, station: string): string {
  return createHash("sha256").update(`${rollout}\0${station}`).digest("hex");
}
