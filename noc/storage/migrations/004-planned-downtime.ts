/**
 * Planned down time (issue 16): the part of a station-day's down time inside maintenance windows. Rows
 * computed before this have none (0), which is what they were: no window was counted then.
 */
import type { SchemaBuilder } from "../migrate.js";

export async function up(s: SchemaBuilder): Promise<void> {
  await s.addColumn("daily", "planned_s", "real", 0);
}
