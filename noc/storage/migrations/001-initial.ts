/** The tables of the NOC before schema versioning. Frozen: change the schema in a new file. */
import type { SchemaBuilder } from "../migrate.js";

export async function up(s: SchemaBuilder): Promise<void> {
  await s.createTable(
    "stations",
    {
      id: "text",
      name: "text",
      district: "text",
      registered: "bool",
      first_seen: "int",
      last_seen: "int",
      status: "text",
      status_since: "int",
      cause: "text",
      cause_detail: "text",
      last_seq: "int",
      info: "text",
    },
    { key: ["id"] },
  );
  await s.createTable(
    "status_history",
    { station: "text", at: "int", status: "text", cause: "text", link: "text", reason: "text" },
    { serial: true, indexes: [["station", "at"], ["at"]] },
  );
  await s.createTable(
    "link_history",
    { station: "text", link: "text", at: "int", state: "text", active: "bool", role: "text" },
    { serial: true, indexes: [["station", "link", "at"], ["at"]] },
  );
  await s.createTable(
    "device_history",
    { station: "text", device: "text", kind: "text", at: "int", health: "text", reason: "text" },
    { serial: true, indexes: [["station", "at"]] },
  );
  await s.createTable(
    "power_history",
    { station: "text", at: "int", source: "text", state: "text" },
    { serial: true, indexes: [["station", "at"]] },
  );
  await s.createTable(
    "events",
    {
      station: "text",
      seq: "int",
      time: "int",
      received_at: "int",
      type: "text",
      data: "text",
      historical: "bool",
    },
    { key: ["station", "seq"], indexes: [["received_at"]] },
  );
  await s.createTable(
    "outages",
    {
      station: "text",
      start_at: "int",
      end_at: "int",
      cause: "text",
      link: "text",
      seq: "int",
      evidence: "text",
    },
    { key: ["station", "start_at"], indexes: [["end_at"]] },
  );
  await s.createTable(
    "gaps",
    {
      station: "text",
      from_seq: "int",
      to_seq: "int",
      status: "text",
      detected_at: "int",
      closed_at: "int",
      remaining: "text",
      lost: "int",
      requests: "int",
      last_request_at: "int",
    },
    { key: ["station", "from_seq"], indexes: [["status"]] },
  );
  await s.createTable(
    "daily",
    {
      station: "text",
      day: "text",
      district: "text",
      window_s: "real",
      up_s: "real",
      unknown_s: "real",
      backup_s: "real",
      power_s: "real",
      network_s: "real",
      agent_s: "real",
      unattributed_s: "real",
      links: "text",
    },
    { key: ["station", "day"], indexes: [["day"]] },
  );
  await s.createTable("meta", { key: "text", value: "text" }, { key: ["key"] });
}
