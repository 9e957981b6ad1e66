import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStorage } from "../../noc/storage/index.js";
import { storageContract } from "./noc-storage.contract.js";

const dir = mkdtempSync(join(tmpdir(), "noc-sqlite-"));
storageContract(
  "sqlite",
  async () => new SqliteStorage(join(dir, "noc.db")),
  async (s) => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  },
);
