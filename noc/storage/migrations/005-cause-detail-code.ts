/**
 * A dark station's cause detail as a code with parameters (issue 18), next to the English words: the
 * dashboard words it in the reader's language. Rows from before have none and show the English.
 */
import type { SchemaBuilder } from "../migrate.js";

export async function up(s: SchemaBuilder): Promise<void> {
  await s.addColumn("stations", "cause_detail_code", "text");
}
