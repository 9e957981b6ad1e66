/** The dashboard's access control (issue 14): users, browser sessions, API tokens and the audit log. */
import type { SchemaBuilder } from "../migrate.js";

export async function up(s: SchemaBuilder): Promise<void> {
  // pw_hash is empty for a user who only comes through the trusted reverse proxy.
  await s.createTable(
    "users",
    { name: "text", role: "text", district: "text", pw_hash: "text", created_at: "int", updated_at: "int" },
    { key: ["name"] },
  );
  // id is the SHA-256 of the cookie value: a copy of the database holds no usable session.
  await s.createTable(
    "sessions",
    { id: "text", user_name: "text", csrf: "text", created_at: "int", last_seen: "int" },
    { key: ["id"], indexes: [["user_name"]] },
  );
  await s.createTable(
    "api_tokens",
    {
      id: "text",
      name: "text",
      role: "text",
      district: "text",
      created_at: "int",
      created_by: "text",
      last_used: "int",
    },
    { key: ["id"], indexes: [["name"]] },
  );
  await s.createTable(
    "audit",
    {
      at: "int",
      actor: "text",
      action: "text",
      target: "text",
      detail: "text",
      result: "text",
      address: "text",
    },
    { serial: true, indexes: [["at"]] },
  );
}
