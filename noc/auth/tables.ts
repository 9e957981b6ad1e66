/**
 * The NOC's access-control tables (users, sessions, API tokens, audit), in the storage's table layout.
 * Kept apart from the collector's tables so that they move as one migration.
 */
import type { TableDef } from "../storage/rows.js";

export const AUTH_TABLES: TableDef[] = [
  {
    name: "users",
    cols: [
      ["name", "text"],
      ["role", "text"],
      ["district", "text"],
      // Empty for a user who only comes through the trusted reverse proxy.
      ["pw_hash", "text"],
      ["created_at", "int"],
      ["updated_at", "int"],
    ],
    key: ["name"],
    indexes: [],
  },
  {
    name: "sessions",
    cols: [
      // SHA-256 of the cookie value: a copy of the database does not hold usable sessions.
      ["id", "text"],
      ["user_name", "text"],
      ["csrf", "text"],
      ["created_at", "int"],
      ["last_seen", "int"],
    ],
    key: ["id"],
    indexes: [["user_name"]],
  },
  {
    name: "api_tokens",
    cols: [
      ["id", "text"],
      ["name", "text"],
      ["role", "text"],
      ["district", "text"],
      ["created_at", "int"],
      ["created_by", "text"],
      ["last_used", "int"],
    ],
    key: ["id"],
    indexes: [["name"]],
  },
  {
    name: "audit",
    cols: [
      ["at", "int"],
      ["actor", "text"],
      ["action", "text"],
      ["target", "text"],
      ["detail", "text"],
      ["result", "text"],
      ["address", "text"],
    ],
    serial: true,
    indexes: [["at"]],
  },
];
