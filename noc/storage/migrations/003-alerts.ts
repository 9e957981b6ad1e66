/** Alerts, their history, the notification outbox and maintenance windows (noc/alerts, noc/notify). */
import type { SchemaBuilder } from "../migrate.js";

export async function up(s: SchemaBuilder): Promise<void> {
  await s.createTable(
    "alerts",
    {
      id: "text",
      alert_key: "text",
      state: "text",
      updated_at: "int",
      resolved_at: "int",
      station: "text",
      district: "text",
      data: "text",
    },
    { key: ["id"], indexes: [["state"], ["resolved_at"]] },
  );
  await s.createTable(
    "alert_events",
    { alert_id: "text", at: "int", actor: "text", action: "text", detail: "text" },
    { serial: true, indexes: [["alert_id", "at"]] },
  );
  await s.createTable(
    "notify_outbox",
    {
      id: "text",
      alert_id: "text",
      state: "text",
      next_at: "int",
      created_at: "int",
      data: "text",
    },
    { key: ["id"], indexes: [["state", "next_at"], ["alert_id"]] },
  );
  await s.createTable(
    "maintenance",
    { id: "text", start_at: "int", end_at: "int", ended_at: "int", data: "text" },
    { key: ["id"], indexes: [["end_at"]] },
  );
}
