import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteWorkerStorage } from "../../noc/storage/index.js";
import { storageContract } from "./noc-storage.contract.js";

/** The default SQLite store runs on a worker thread; it must behave exactly like the direct one. */
const dir = mkdtempSync(join(tmpdir(), "noc-sqlite-worker-"));
storageContract(
  "sqlite on a worker thread",
  async () => new SqliteWorkerStorage(join(dir, "noc.db")),
  async (s) => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  },
);
