/**
 * The narrow interfaces services receive from the composition root (agent/app.ts). A service never
 * reaches for MQTT, the outbox or the config file itself; tests hand it small fakes of these.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type {
  DeviceState,
  EventData,
  EventType,
  LinkState,
  PowerState,
  LinkSummary,
} from "../contract/index.js";
import type { z } from "zod";
import type { PublishOptions } from "./mqtt-session.js";

export type { Logger };

/** How the reporter reaches the broker: the MQTT session in the daemon, a scripted fake in unit tests. */
export interface BrokerPublisher {
  readonly connected: boolean;
  /** Resolves on PUBACK (QoS 1); rejects when the connection drops first. */
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void>;
}

export interface Clock {
  now(): number;
  /** Whether the system clock is NTP-synchronised right now (samples before sync are marked). */
  synced(): boolean;
}

/**
 * Durable events: written to the outbox (seq, time, clockSynced added there) before this returns. The type
 * picks the data's shape from contract/events.ts, so a wrong or missing field does not compile.
 */
export interface EventSink {
  event<K extends EventType>(type: K, data: EventData[K], observedAt?: number): void;
}

/** Retained current-state topics: the latest value is kept and republished after every reconnect. */
export interface RetainedSink {
  link(name: string, state: LinkState): void;
  device(id: string, state: DeviceState): void;
  power(state: PowerState): void;
}

/** What the link monitor tells the rest of the agent (metrics summary, ledger evidence, status). */
export interface LinkView {
  summaries(): Record<string, z.infer<typeof LinkSummary>>;
  /** Evidence for a `network` outage between two instants: which link failed and why, if known. */
  networkEvidence(
    startMs: number,
    endMs: number,
  ): { link?: string; reason?: string; details?: Record<string, unknown> };
  states(): LinkState[];
  /** Per-link availability and time on a backup link over [start, end], for the uptime message. */
  availability?(startMs: number, endMs: number): Record<string, { upPct: number | null }>;
  onBackupS?(startMs: number, endMs: number): number;
}

/** What the UPS service tells the ledger: the power state recorded with each heartbeat. */
export interface PowerView {
  current(): PowerState | undefined;
}

export interface DeviceView {
  states(): DeviceState[];
}

/** A route on the local API (unix socket; loopback TCP opt-in). Handlers answer with JSON via the helpers the API passes in. */
export interface LocalRoute {
  method: "GET" | "POST" | "DELETE";
  /** Exact path, or with `{name}` segments (e.g. `/v1/bookings/{id}`) passed to the handler as params. */
  path: string;
  /** Station staff's tools must present the bearer token; /v1/status is open on loopback. */
  auth: boolean;
  /** Largest body accepted (413 beyond it). Default: none for GET, DEFAULT_POST_BODY (64 KiB) for POST. */
  maxBodyBytes?: number;
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    params?: Record<string, string>,
  ): Promise<void> | void;
}

export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
