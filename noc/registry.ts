import { readFileSync } from "node:fs";
import { TOPIC_LEVEL } from "../contract/index.js";
import type { RegistryEntry } from "./fleet.js";

/**
 * The state's list of stations: CSV with a header `id,name,district` and optionally `pop` (extra columns ignored) or a JSON
 * array of {id, name, district, pop}. With a registry, messages from stations not on it are rejected and
 * counted, and stations never heard from show as unknown rather than not at all.
 */
export function loadRegistry(path: string): Map<string, RegistryEntry> {
  const text = readFileSync(path, "utf8");
  const rows = path.endsWith(".json") ? (JSON.parse(text) as Record<string, unknown>[]) : parseCsv(text);
  const out = new Map<string, RegistryEntry>();
  rows.forEach((r, i) => {
    const id = String(r.id ?? "").trim();
    if (!TOPIC_LEVEL.test(id)) throw new Error(`${path}: entry ${i + 1}: invalid station id "${id}"`);
    if (out.has(id)) throw new Error(`${path}: entry ${i + 1}: duplicate station id "${id}"`);
    const name = typeof r.name === "string" && r.name.trim() ? r.name.trim() : undefined;
    const district = typeof r.district === "string" && r.district.trim() ? r.district.trim() : undefined;
    const pop = typeof r.pop === "string" && r.pop.trim() ? r.pop.trim() : undefined;
    out.set(id, { name, district, ...(pop ? { pop } : {}) });
  });
  return out;
}

/** RFC 4180 CSV with a header row. */
export function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      record.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      field = "";
      if (record.some((f) => f !== "")) records.push(record);
      record = [];
    } else field += ch;
  }
  record.push(field);
  if (record.some((f) => f !== "")) records.push(record);
  const [header, ...body] = records;
  if (!header) return [];
  const keys = header.map((h) => h.trim().toLowerCase());
  return body.map((r) => Object.fromEntries(keys.map((k, i) => [k, r[i] ?? ""])));
}
