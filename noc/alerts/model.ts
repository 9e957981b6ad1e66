/** The alert records the NOC stores (tables made by storage/migrations/003-alerts.ts). */
import type { CodedParam } from "../model.js";
import type { Severity } from "./rules.js";

/**
 * firing: told (or being told) to its contacts. acknowledged: someone is on it; escalation stops.
 * resolved: the condition ended. Pending (condition true, `for:` not yet over) lives only in memory.
 */
export type AlertState = "firing" | "acknowledged" | "resolved";

/** Why an alert is recorded but not sent. */
export type Suppression = "maintenance" | "incident" | "flapping";

export interface AlertRow {
  id: string;
  /** rule name + subject: one open alert per key. */
  key: string;
  rule: string;
  kind: string;
  severity: Severity;
  state: AlertState;
  station?: string;
  district?: string;
  /** The English title, as notices and logs carry it. */
  title: string;
  /** The title as a code with parameters (alerts/titles.ts), for the dashboard's other languages;
   * absent on alerts stored before issue 18, whose pages show the English title. */
  titleCode?: string;
  titleParams?: Record<string, CodedParam>;
  /** When the condition began (station dark since ...). */
  startedAt: number;
  firedAt: number;
  updatedAt: number;
  ackedAt?: number;
  ackedBy?: string;
  ackNote?: string;
  resolvedAt?: number;
  /** Escalation steps told so far (0 = the first list). */
  level: number;
  lastNotifiedAt?: number;
  /** When its contacts were first told: escalation counts from here, not from a maintenance window. */
  firstNotifiedAt?: number;
  suppressed?: Suppression;
  /** An incident's stations, or the incident a station alert belongs to. */
  stations?: string[];
  incident?: string;
  /** Recipients told so far ("channel to"): the resolve notice goes to them. */
  notified?: string[];
  repeatMs?: number;
  resolveNotice?: boolean;
}

/** Every state change and send result of an alert: who did it, when, what. */
export interface AlertEventRow {
  alertId: string;
  at: number;
  actor: string;
  action: string;
  detail?: string;
}

export type OutboxState = "pending" | "sent" | "failed";

/** A notification written before it is sent; the dispatcher sends it and marks it. */
export interface OutboxRow {
  id: string;
  alertId: string;
  channel: string;
  recipient: string;
  /** fire, repeat, escalate, resolve */
  reason: string;
  payload: NotificationPayload;
  state: OutboxState;
  attempts: number;
  nextAt: number;
  createdAt: number;
  sentAt?: number;
  lastError?: string;
}

export interface NotificationPayload {
  alertId: string;
  deliveryId: string;
  reason: string;
  rule: string;
  severity: Severity;
  state: AlertState;
  title: string;
  station?: string;
  district?: string;
  stations?: string[];
  startedAt: string;
  link?: string;
  /** The alert's kind (rule kind, flapping, power-incident...): what a Hindi text says happened. */
  kind?: string;
  /** The contact's language; absent on rows written before issue 18, which are English. */
  language?: "en" | "hi";
}

export interface MaintenanceRow {
  id: string;
  scope: "station" | "district" | "all";
  /** Station id or district name; empty for `all`. */
  target: string;
  startAt: number;
  endAt: number;
  reason: string;
  createdBy: string;
  createdAt: number;
  endedAt?: number;
  endedBy?: string;
}

/** One transaction's worth of alert bookkeeping. */
export interface AlertWrite {
  alerts: AlertRow[];
  events: AlertEventRow[];
  outbox: OutboxRow[];
  maintenance: MaintenanceRow[];
}

export function emptyAlertWrite(): AlertWrite {
  return { alerts: [], events: [], outbox: [], maintenance: [] };
}
