import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { parseDocument, type YAMLError } from "yaml";
import { ConfigSchema, type Config } from "./schema.js";
import { AGENT_GROUP, formatMode, secretModeProblem } from "./secret-mode.js";

export const DEFAULT_CONFIG_PATH = "/etc/station-agent/config.yaml";
export const ENV_PREFIX = "STATION_AGENT_";
/** sysexits.h EX_CONFIG */
export const EX_CONFIG = 78;

/** Every problem found, as `path: message` lines, so the operator fixes them all in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

export interface LoadedConfig {
  config: Config;
  /** Short hash of the effective config without secrets: the NOC sees when two stations differ. */
  hash: string;
  source: string;
}

export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError([`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`]);
  }
  return parseConfigText(text, path, env);
}

export function parseConfigText(text: string, source: string, env: NodeJS.ProcessEnv = {}): LoadedConfig {
  // prettyErrors fills linePos; without it every YAML error said "at line ?".
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigError(doc.errors.map((e) => yamlProblem(e, text, source)));
  let raw: unknown;
  try {
    // A "billion laughs" alias bomb would expand to gigabytes; yaml stops it at maxAliasCount.
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (e) {
    throw new ConfigError([`${source}: YAML: ${firstLine((e as Error).message)}`]);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError([
      `(root): expected a mapping of settings, got ${Array.isArray(raw) ? "a list" : typeof raw}`,
    ]);
  }
  const problems: string[] = [];
  applyEnvOverrides(raw as Record<string, unknown>, env, problems);
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) problems.push(...formatIssues(parsed.error));
  // Files are checked from the raw values too, so a missing key file is listed with every other problem.
  problems.push(...checkFiles(raw as Record<string, unknown>));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const config = parsed.data;
  return { config, hash: configHash(config), source };
}

function yamlProblem(e: YAMLError, text: string, source: string): string {
  const pos = e.linePos?.[0];
  const what = firstLine(e.message).replace(/ at line \d+, column \d+:?$/, "");
  if (!pos) return `${source}: YAML error (${e.code}): ${what}`;
  const line = (text.split("\n")[pos.line - 1] ?? "").replace(/\t/g, "→");
  return [
    `${source}:${pos.line}:${pos.col}: YAML error (${e.code}): ${what}`,
    `    ${pos.line} | ${line}`,
    `    ${" ".repeat(String(pos.line).length)} | ${" ".repeat(Math.max(0, pos.col - 1))}^`,
  ].join("\n");
}

export function formatIssues(error: z.ZodError): string[] {
  const at = (path: readonly PropertyKey[]) => path.map(String).join(".") || "(root)";
  // A typo'd key gives two issues: the unknown key and the real one now missing. Say it once, with the fix.
  const folded = new Set<string>();
  const unknown = new Map<z.core.$ZodIssue, string[]>();
  for (const i of error.issues) {
    if (i.code !== "unrecognized_keys") continue;
    const known = knownKeys(i.path);
    unknown.set(
      i,
      i.keys.map((k) => {
        const near = nearest(k, known);
        if (!near) return `${at([...i.path, k])}: unknown setting`;
        folded.add(at([...i.path, near]));
        return `${at([...i.path, k])}: unknown setting; did you mean "${near}"?`;
      }),
    );
  }
  return error.issues.flatMap((i) => {
    if (i.code === "unrecognized_keys") return unknown.get(i) ?? [];
    if (folded.has(at(i.path)) && i.code === "invalid_type" && i.input === undefined) return [];
    return [`${at(i.path)}: ${i.message}`];
  });
}

/** Keys the schema knows at a path of the config (union alternatives merged), for "did you mean". */
function knownKeys(path: readonly PropertyKey[]): string[] {
  let nodes: JsonNode[] = [configJsonSchema() as JsonNode];
  const expand = (ns: JsonNode[]): JsonNode[] =>
    ns.flatMap((n) => [n, ...expand([...(n.anyOf ?? []), ...(n.oneOf ?? [])])]);
  for (const seg of path) {
    nodes = expand(nodes).flatMap((n) =>
      typeof seg === "number"
        ? n.items
          ? [n.items]
          : []
        : n.properties?.[String(seg)]
          ? [n.properties[String(seg)]!]
          : [],
    );
  }
  return [...new Set(expand(nodes).flatMap((n) => Object.keys(n.properties ?? {})))];
}

function nearest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const swap =
        i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]
          ? (prev[j - 2] ?? Infinity)
          : Infinity;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1), swap);
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** STATION_AGENT_MQTT__URL=... sets mqtt.url; `__` separates levels; values are JSON when they parse as JSON. */
function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv, problems: string[]): void {
  const jsonSchema = configJsonSchema() as JsonNode;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const segments = name.slice(ENV_PREFIX.length).split("__");
    let node: JsonNode | undefined = jsonSchema;
    let target: Record<string, unknown> | unknown[] = raw;
    const keys: (string | number)[] = [];
    for (const seg of segments) {
      const key = resolveKey(node, seg);
      if (key === undefined) {
        problems.push(`${name}: no config setting matches "${seg}"`);
        keys.length = 0;
        break;
      }
      keys.push(key);
      node = typeof key === "number" ? node?.items : node?.properties?.[key];
    }
    if (keys.length === 0) continue;
    for (let i = 0; i < keys.length - 1; i++) {
      const k = keys[i]!;
      const next = (target as Record<string | number, unknown>)[k];
      if (typeof next !== "object" || next === null) {
        (target as Record<string | number, unknown>)[k] = typeof keys[i + 1] === "number" ? [] : {};
      }
      target = (target as Record<string | number, unknown>)[k] as Record<string, unknown>;
    }
    (target as Record<string | number, unknown>)[keys[keys.length - 1]!] = envValue(value, node);
  }
}

interface JsonNode {
  type?: string | string[];
  properties?: Record<string, JsonNode>;
  items?: JsonNode;
  anyOf?: JsonNode[];
  oneOf?: JsonNode[];
}

function resolveKey(node: JsonNode | undefined, seg: string): string | number | undefined {
  if (!node) return undefined;
  if (/^\d+$/.test(seg) && (node.items || node.type === "array")) return Number(seg);
  const props = { ...(node.properties ?? {}) };
  for (const alt of [...(node.anyOf ?? []), ...(node.oneOf ?? [])])
    Object.assign(props, alt.properties ?? {});
  const want = seg.toLowerCase().replace(/_/g, "");
  return Object.keys(props).find((k) => k.toLowerCase() === want);
}

function envValue(value: string, node: JsonNode | undefined): unknown {
  const types = [node?.type ?? []].flat();
  if (types.includes("string") && !types.includes("number") && !types.includes("integer")) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function checkFiles(raw: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const files: [string, boolean][] = [
    ["mqtt.tls.ca", false],
    ["mqtt.tls.cert", false],
    ["mqtt.tls.key", true],
    ["mqtt.passwordFile", true],
    ["commands.nocPublicKey", false],
    ["booking.bureau.ca", false],
    ["booking.bureau.cert", false],
    ["booking.bureau.key", true],
  ];
  const at = (path: string): unknown =>
    path
      .split(".")
      .reduce<unknown>(
        (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
        raw,
      );
  // The API token the agent created, once it exists (the agent refuses a loose one at start too).
  const tokenFile = at("api.tokenFile");
  const storageDir = at("storage.dir");
  const token =
    typeof tokenFile === "string"
      ? tokenFile
      : join(typeof storageDir === "string" ? storageDir : "/var/lib/station-agent", "api-token");
  if (existsSync(token)) files.push(["api.tokenFile", true]);
  for (const [path, secret] of files) {
    const file = path === "api.tokenFile" ? token : at(path);
    if (typeof file !== "string") continue;
    let mode: number;
    let gid: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) {
        problems.push(`${path}: ${file} is not a regular file`);
        continue;
      }
      mode = st.mode;
      gid = st.gid;
    } catch (e) {
      problems.push(`${path}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      continue;
    }
    const problem = secret ? secretModeProblem(mode, gid) : undefined;
    if (problem) {
      problems.push(
        `${path}: ${file} is ${problem} (mode ${formatMode(mode)}); run: chmod 0640 ${file} and chgrp ${AGENT_GROUP} ${file}`,
      );
    }
  }
  return problems;
}

const SECRET_KEYS = new Set(["password"]);

export function configHash(config: Config): string {
  const canonical = JSON.stringify(config, (k, v: unknown) => {
    if (SECRET_KEYS.has(k)) return undefined;
    if (v && typeof v === "object" && !Array.isArray(v)) {
      // Code-unit order, not localeCompare: the same hash under any locale, and no ICU collator.
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return v;
  });
  return createHash("sha256").update(canonical).digest("hex").slice(0, 12);
}

export function configJsonSchema(): unknown {
  return z.toJSONSchema(ConfigSchema, { io: "input", unrepresentable: "any" });
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}
