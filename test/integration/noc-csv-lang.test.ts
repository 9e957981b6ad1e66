// @needs mosquitto
/**
 * CSV exports with `?lang=hi` (issue 18), over real HTTP against a real NOC (SQLite, private Mosquitto):
 * the header row in Hindi, a byte-order mark so that a spreadsheet reads UTF-8, the values the same
 * bytes as the English file; English without lang; any other lang a 400 that says what is accepted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NocApp } from "../../noc/app.js";
import { emptyAvailability, type DailyRow } from "../../noc/model.js";
import { SqliteStorage } from "../../noc/storage/index.js";
import { PrivateMosquitto } from "../support/mosquitto.js";
import { startTestNoc } from "../support/noc.js";

const broker = new PrivateMosquitto();
const dir = mkdtempSync(join(tmpdir(), "noc-csv-lang-"));
let noc: NocApp;
let admin = "";

const day = (station: string, district: string, upS: number, power: number): DailyRow => ({
  ...emptyAvailability(),
  station,
  district,
  day: "2025-01-15",
  windowS: 86_400,
  upS,
  down: { power, network: 86_400 - upS - power, agent: 0, unattributed: 0 },
  networkLinks: upS + power < 86_400 ? { mpls: 86_400 - upS - power } : {},
});

beforeAll(async () => {
  await broker.start();
  const s = new SqliteStorage(join(dir, "noc.db"));
  await s.init();
  await s.upsertDaily([day("ST-1", "Pune", 84_672, 0), day("ST-2", "Satara", 85_968, 432)]);
  await s.close();
  noc = await startTestNoc({ mqttUrl: broker.url, root: "cctns/csvlang", storage: join(dir, "noc.db") });
  admin = await noc.auth.addToken("csv-script", "admin", undefined, "test");
});
afterAll(async () => {
  await noc?.stop();
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<{ status: number; type: string; bytes: Buffer }> {
  const r = await fetch(new URL(path, noc.url), { headers: { authorization: `Bearer ${admin}` } });
  return {
    status: r.status,
    type: r.headers.get("content-type") ?? "",
    bytes: Buffer.from(await r.arrayBuffer()),
  };
}
const lines = (b: Buffer) =>
  b
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .split("\r\n");

describe("CSV exports in Hindi", () => {
  for (const path of ["/api/v1/ranking.csv?month=2025-01", "/api/v1/availability.csv?month=2025-01"]) {
    it(`${path.split("?")[0]}: Hindi headers with lang=hi, the same values as in English`, async () => {
      const en = await get(path);
      const hi = await get(`${path}&lang=hi`);
      expect(en.status).toBe(200);
      expect(hi.status).toBe(200);
      expect(hi.type).toBe("text/csv; charset=utf-8");
      // English unchanged: no mark, the machine column names.
      expect(en.bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
      expect(lines(en.bytes)[0]).toMatch(
        /^month,(rank|station),.*uptime_pct,.*on_backup_min,planned_down_min,unplanned_down_min,uptime_raw_pct$/,
      );
      // Hindi: UTF-8 byte-order mark, every header in Devanagari, then the English file's rows exactly.
      expect([...hi.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const header = lines(hi.bytes)[0] as string;
      expect(header).toContain("महीना");
      expect(header).toContain("ज़िला");
      expect(header).toContain("उपलब्धता %");
      // The planned down time columns (maintenance windows) have their Hindi names too.
      expect(header).toContain("नियोजित बंद समय (मिनट)");
      expect(header).toContain("अनियोजित बंद समय (मिनट)");
      expect(header.split(",")).toHaveLength((lines(en.bytes)[0] as string).split(",").length);
      expect(header.split(",").every((h) => /[\u0900-\u097F]/.test(h))).toBe(true);
      expect(lines(hi.bytes).slice(1)).toEqual(lines(en.bytes).slice(1));
      expect(lines(hi.bytes)[1]).toMatch(/^2025-01,/);
    });
  }

  it("the audit log CSV takes lang=hi too", async () => {
    const hi = await get("/api/v1/audit.csv?lang=hi");
    expect(hi.status).toBe(200);
    expect(lines(hi.bytes)[0]).toBe("समय (UTC),कौन,कार्रवाई,किस पर,विवरण,परिणाम,पता");
    expect(lines((await get("/api/v1/audit.csv?lang=en")).bytes)[0]).toBe(
      "at,actor,action,target,detail,result,address",
    );
  });

  it("refuses any other lang with a 400 naming the choices", async () => {
    for (const path of [
      "/api/v1/ranking.csv?month=2025-01&lang=fr",
      "/api/v1/availability.csv?lang=HI",
      "/api/v1/audit.csv?lang=",
    ]) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      // The English error as ever, and its code for a dashboard in Hindi.
      expect(JSON.parse(r.bytes.toString("utf8"))).toEqual({
        error: 'lang: must be "en" or "hi"',
        code: "invalid-input",
        params: { detail: 'lang: must be "en" or "hi"' },
      });
    }
  });
});
