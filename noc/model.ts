/** The NOC's own records: what it stores and serves. Station payload types come from the contract. */
import type {
  DeviceState,
  LinkState,
  MetricsPayload,
  OutageCause,
  PowerState,
  SeqRange,
  StateOnline,
  UptimePayload,
} from "../contract/index.js";

/**
 * up: the station is connected (birth seen, no Last Will since, heard from recently).
 * down: the broker published its Last Will or it shut down cleanly.
 * unknown: silent without a Last Will (the broker lost it, or the NOC was not listening), or never seen.
 */
export type Status = "up" | "down" | "unknown";

/** Why a station is dark, as the NOC guesses it live; the station's outage record later settles it. */
export type ProbableCause = OutageCause | "silent" | "unknown";

export interface StatusChange {
  station: string;
  at: number;
  status: Status;
  cause?: ProbableCause;
  link?: string;
  reason?: string;
}

export interface StationInfo {
  name?: string;
  district?: string;
  bootId?: string;
  bootTime?: string;
  agentVersion?: string;
  configHash?: string;
  startedAt?: string;
  clockSynced?: boolean;
  offlineCause?: "connection-lost" | "shutdown";
  links: Record<string, LinkState>;
  devices: Record<string, DeviceState>;
  power?: PowerState;
  uptime?: UptimePayload;
  metrics?: Pick<
    MetricsPayload,
    "time" | "host" | "outbox" | "dropped" | "agent" | "links" | "pc" | "bookings"
  >;
  /** The NOC config fragment the station runs with (from its birth); null: none. */
  configFragment?: StateOnline["configFragment"];
  /** The station PC's facts from its birth (OS, kernel, drives). */
  pc?: StateOnline["pc"];
}

/**
 * A text a person reads, as a stable code and its parameters (issue 18). The English words stay next to
 * it, unchanged, for machines and logs; the dashboard words the code in the reader's language.
 */
export interface CodedText {
  code: string;
  params: Record<string, CodedParam>;
}

/** A parameter: a value as it is, or a coded text of its own (an alert title's cause detail). */
export type CodedParam = string | number | CodedText;

export interface StationRow {
  id: string;
  name?: string;
  district?: string;
  /** From a station registry file rather than first heard on the wire. */
  registered: boolean;
  firstSeen?: number;
  lastSeen?: number;
  status: Status;
  statusSince: number;
  cause?: ProbableCause;
  causeDetail?: string;
  /** causeDetail as a code and parameters (noc/probable-cause.ts); absent on rows stored before. */
  causeDetailCoded?: CodedText;
  lastSeq?: number;
  info: StationInfo;
}

export interface LinkChange {
  station: string;
  link: string;
  at: number;
  state: string;
  active: boolean;
  role: "primary" | "backup";
}

export interface DeviceChange {
  station: string;
  device: string;
  kind: string;
  at: number;
  health: string;
  reason?: string;
}

export interface PowerChange {
  station: string;
  at: number;
  source: string;
  state: string;
}

export interface EventRow {
  station: string;
  seq: number;
  time: number;
  receivedAt: number;
  type: string;
  data: Record<string, unknown>;
  historical: boolean;
}

export interface OutageRow {
  station: string;
  start: number;
  end: number;
  cause: OutageCause;
  link?: string;
  seq?: number;
  evidence: Record<string, unknown>;
}

export type GapStatus = "open" | "closed" | "permanent";

export interface GapRow {
  station: string;
  fromSeq: number;
  toSeq: number;
  status: GapStatus;
  detectedAt: number;
  closedAt?: number;
  /** What is still missing (open gaps); shrinks as resent messages arrive. */
  remaining: SeqRange[];
  /** Seqs the station said it no longer has. */
  lost: number;
  requests: number;
  lastRequestAt?: number;
}

export interface DownSeconds {
  power: number;
  network: number;
  agent: number;
  /** Dark by Last Will or shutdown, not (yet) explained by an outage record from the station. */
  unattributed: number;
}

/** One station's availability figures over one window (a day, or a month as a sum of days). */
export interface Availability {
  /** Seconds of the window the NOC accounts for: from first seen (or registration) up to now. */
  windowS: number;
  upS: number;
  unknownS: number;
  backupS: number;
  /** Every down second, by cause, planned or not. */
  down: DownSeconds;
  /**
   * The part of `down` inside a maintenance window covering the station (station, district or all):
   * planned down time. Not a further cause; unknown time inside a window stays unknown.
   */
  plannedS: number;
  /** Network outage seconds per named link. */
  networkLinks: Record<string, number>;
}

export interface DailyRow extends Availability {
  station: string;
  day: string;
  district: string;
}

export function emptyAvailability(): Availability {
  return {
    windowS: 0,
    upS: 0,
    unknownS: 0,
    backupS: 0,
    down: { power: 0, network: 0, agent: 0, unattributed: 0 },
    plannedS: 0,
    networkLinks: {},
  };
}

export function addAvailability(into: Availability, a: Availability): Availability {
  into.windowS += a.windowS;
  into.upS += a.upS;
  into.unknownS += a.unknownS;
  into.backupS += a.backupS;
  into.down.power += a.down.power;
  into.down.network += a.down.network;
  into.down.agent += a.down.agent;
  into.down.unattributed += a.down.unattributed;
  into.plannedS += a.plannedS;
  for (const [link, s] of Object.entries(a.networkLinks))
    into.networkLinks[link] = (into.networkLinks[link] ?? 0) + s;
  return into;
}

export function downS(a: Availability): number {
  return a.down.power + a.down.network + a.down.agent + a.down.unattributed;
}

/** Down time outside maintenance windows: what counts against a station. */
export function unplannedDownS(a: Availability): number {
  return Math.max(0, downS(a) - a.plannedS);
}

/**
 * Up time as a share of the accounted window less planned down time: a planned window neither counts
 * against a station nor for it. Unknown time is not up. Null when nothing is left to judge (nothing
 * accounted, or all of it planned).
 */
export function uptimePct(a: Availability): number | null {
  const judged = a.windowS - a.plannedS;
  return judged > 1e-9 ? (100 * a.upS) / judged : null;
}

/** Up time as a share of the whole accounted window: every down second counts, planned or not. */
export function uptimeRawPct(a: Availability): number | null {
  return a.windowS > 0 ? (100 * a.upS) / a.windowS : null;
}
