/** Rows of the alert tables (migrations/003-alerts.ts): the indexed columns plus the record as JSON. */
import type { AlertEventRow, AlertRow, MaintenanceRow, OutboxRow } from "../alerts/model.js";
import type { DbRow } from "./dialect.js";
import type { TableCodec } from "./rows.js";

const data = <T>(r: DbRow): T => JSON.parse(String(r.data)) as T;
const opt = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

export const alerts: TableCodec<AlertRow> = {
  table: "alerts",
  key: ["id"],
  encode: (a) => ({
    id: a.id,
    alert_key: a.key,
    state: a.state,
    updated_at: a.updatedAt,
    resolved_at: a.resolvedAt ?? null,
    station: a.station ?? null,
    district: a.district ?? null,
    data: JSON.stringify(a),
  }),
  decode: (r) => data<AlertRow>(r),
};

export const alertEvents: TableCodec<AlertEventRow> = {
  table: "alert_events",
  encode: (e) => ({
    alert_id: e.alertId,
    at: e.at,
    actor: e.actor,
    action: e.action,
    detail: e.detail ?? null,
  }),
  decode: (r) => ({
    alertId: String(r.alert_id),
    at: Number(r.at),
    actor: String(r.actor),
    action: String(r.action),
    detail: opt(r.detail),
  }),
};

export const outbox: TableCodec<OutboxRow> = {
  table: "notify_outbox",
  key: ["id"],
  encode: (o) => ({
    id: o.id,
    alert_id: o.alertId,
    state: o.state,
    next_at: o.nextAt,
    created_at: o.createdAt,
    data: JSON.stringify(o),
  }),
  decode: (r) => data<OutboxRow>(r),
};

export const maintenance: TableCodec<MaintenanceRow> = {
  table: "maintenance",
  key: ["id"],
  encode: (m) => ({
    id: m.id,
    start_at: m.startAt,
    end_at: m.endAt,
    ended_at: m.endedAt ?? null,
    data: JSON.stringify(m),
  }),
  decode: (r) => data<MaintenanceRow>(r),
};
