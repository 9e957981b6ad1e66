import { PostgresStorage } from "./postgres.js";
import { SqliteWorkerStorage } from "./sqlite-worker.js";
import type { Storage } from "./storage.js";

export type { Storage, WriteBatch, HistoryBundle, Liveness, TimeRange } from "./storage.js";
export { emptyBatch, batchSize } from "./storage.js";
export { SqliteStorage } from "./sqlite.js";
export { PostgresStorage } from "./postgres.js";
export { SqliteWorkerStorage } from "./sqlite-worker.js";

/** `postgres://...` (optionally `?schema=name`) or a SQLite file path (optionally `sqlite:` prefixed),
 * which runs on its own thread. */
export function openStorage(spec: string): Storage {
  if (/^postgres(ql)?:\/\//.test(spec)) {
    const url = new URL(spec);
    const schema = url.searchParams.get("schema") ?? undefined;
    url.searchParams.delete("schema");
    return new PostgresStorage({ connectionString: url.toString(), schema });
  }
  return new SqliteWorkerStorage(spec.replace(/^sqlite:/, ""));
}
