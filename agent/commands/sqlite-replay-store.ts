import type { Db } from "../sqlite.js";
import type { ReplayStore } from "./replay-guard.js";

/**
 * The replay guard's memory in the agent's SQLite state (the ledger file), so a command captured on the
 * wire cannot be replayed after the agent restarts inside its age window. Each key is committed with
 * synchronous=FULL before the command runs: the ledger's usual NORMAL could lose it to a power cut.
 */
export class SqliteReplayStore implements ReplayStore {
  private readonly stmts;

  constructor(
    private readonly db: Db,
    private readonly maxKeys = 100_000,
  ) {
    db.exec(
      "CREATE TABLE IF NOT EXISTS command_replay (key TEXT PRIMARY KEY, expires_ms INTEGER NOT NULL) WITHOUT ROWID",
    );
    this.stmts = {
      has: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM command_replay WHERE key = ?"),
      add: db.prepare<[string, number]>(
        "INSERT OR REPLACE INTO command_replay(key, expires_ms) VALUES (?, ?)",
      ),
      prune: db.prepare<[number]>("DELETE FROM command_replay WHERE expires_ms < ?"),
      count: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM command_replay"),
      dropSoonest: db.prepare<[number]>(
        "DELETE FROM command_replay WHERE key IN (SELECT key FROM command_replay ORDER BY expires_ms LIMIT ?)",
      ),
    };
  }

  has(key: string): boolean {
    return this.stmts.has.get(key) !== undefined;
  }

  add(key: string, expiresAtMs: number): void {
    const previous = this.db.pragma("synchronous", { simple: true }) as number;
    this.db.pragma("synchronous = FULL");
    try {
      this.db.transaction(() => {
        // At the cap the key that expires soonest goes; the rate limit keeps this far away in practice.
        const over = (this.stmts.count.get()?.n ?? 0) - this.maxKeys + 1;
        if (over > 0) this.stmts.dropSoonest.run(over);
        this.stmts.add.run(key, expiresAtMs);
      })();
    } finally {
      this.db.pragma(`synchronous = ${previous}`);
    }
  }

  prune(nowMs: number): void {
    this.stmts.prune.run(nowMs);
  }
}
