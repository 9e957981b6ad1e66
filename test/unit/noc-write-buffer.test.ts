/**
 * The write buffer releases broker acks only after the flush holding their messages' effects commits,
 * stores the station's last seq with that flush, and keeps the acks when the write fails.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { StationRow } from "../../noc/model.js";
import { CollectorStats } from "../../noc/stats.js";
import { SqliteStorage } from "../../noc/storage/index.js";
import { WriteBuffer } from "../../noc/write-buffer.js";

const dir = mkdtempSync(join(tmpdir(), "noc-wb-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse("2025-03-01T00:00:00Z");
const row: StationRow = {
  id: "WB1",
  registered: false,
  status: "up",
  statusSince: T0,
  lastSeen: T0,
  lastSeq: 1,
  info: { links: {}, devices: {} },
};

describe("WriteBuffer acks and high-water marks", () => {
  it("acks after the commit that stores the last seq, and keeps acks across a failed write", async () => {
    const path = join(dir, "noc.db");
    const storage = new SqliteStorage(path);
    await storage.init();
    // A long liveness period: only the high-water rule can make the last seq go out with this flush.
    const buffer = new WriteBuffer(storage, new CollectorStats(), {
      livenessFlushMs: 3_600_000,
      maxPending: 1000,
    });
    buffer.station(row, true);
    await buffer.flush();

    const acked: number[] = [];
    row.lastSeq = 2;
    buffer.station(row, false);
    buffer.highWater(row);
    buffer.afterCommit(() => acked.push(2));
    const flushing = buffer.flush();
    row.lastSeq = 3; // arrives while the write is under way: belongs to the next flush
    buffer.station(row, false);
    buffer.highWater(row);
    buffer.afterCommit(() => acked.push(3));
    expect(acked).toEqual([]);
    await flushing;
    expect(acked).toEqual([2]);
    expect((await storage.liveness(["WB1"])).get("WB1")?.lastSeq).toBe(2);

    await storage.close(); // the database goes away: the write fails, nothing is acknowledged
    await expect(buffer.flush()).rejects.toThrow();
    expect(acked).toEqual([2]);

    await storage.init(); // the database is back
    await buffer.flush();
    expect(acked).toEqual([2, 3]);
    expect((await storage.liveness(["WB1"])).get("WB1")?.lastSeq).toBe(3);
    await storage.close();
  });

  it("acks at once when a flush has nothing to write", async () => {
    const storage = new SqliteStorage(join(dir, "empty.db"));
    await storage.init();
    const buffer = new WriteBuffer(storage, new CollectorStats(), {
      livenessFlushMs: 1000,
      maxPending: 1000,
    });
    let acked = false;
    buffer.afterCommit(() => (acked = true));
    await buffer.flush();
    expect(acked).toBe(true);
    await storage.close();
  });
});
