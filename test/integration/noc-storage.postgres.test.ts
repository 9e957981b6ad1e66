import { PostgresStorage } from "../../noc/storage/index.js";
import { storageContract } from "./noc-storage.contract.js";

/** The real PostgreSQL on this machine (trust auth, database `test`); each run gets its own schema. */
export const PG_URL = process.env.NOC_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `noc_contract_${process.pid}_${Date.now().toString(36)}`;

storageContract(
  "postgres",
  async () => new PostgresStorage({ connectionString: PG_URL, schema }),
  async (s) => {
    await (s as PostgresStorage).dropSchema();
    await s.close();
  },
);
