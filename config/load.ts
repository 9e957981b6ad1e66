import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { z } from "zod";
import { parseDocument } from "yaml";
import { ConfigSchema, type Config } from "./schema.js";

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
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map(
        (e) => `${source}: YAML ${e.code} at line ${e.linePos?.[0]?.line ?? "?"}: ${firstLine(e.message)}`,
      ),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError([
      `(root): expected a mapping of settings, got ${Array.isArray(raw) ? "a list" : typeof raw}`,
    ]);
  }
  const problems: string[] = [];
  applyEnvOverrides(raw as Record<string, unknown>, env, problems);
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) problems.push(...formatIssues(parsed.error));
  if (problems.length > 0) throw new ConfigError(problems);
  const config = parsed.data as Config;
  problems.push(...checkFiles(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, hash: configHash(config), source };
}

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((i) => {
    const at = (extra: (string | number | symbol)[] = []) =>
      [...i.path, ...extra].map(String).join(".") || "(root)";
    if (i.code === "unrecognized_keys") return i.keys.map((k) => `${at([k])}: unknown setting`);
    return [`${at()}: ${i.message}`];
  });
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

function checkFiles(config: Config): string[] {
  const problems: string[] = [];
  const tls = config.mqtt.tls;
  const files: [string, string | undefined, boolean][] = [
    ["mqtt.tls.ca", tls?.ca, false],
    ["mqtt.tls.cert", tls?.cert, false],
    ["mqtt.tls.key", tls?.key, true],
    ["mqtt.passwordFile", config.mqtt.passwordFile, true],
    ["commands.nocPublicKey", config.commands.nocPublicKey, false],
    ["booking.bureau.ca", config.booking.bureau.ca, false],
    ["booking.bureau.cert", config.booking.bureau.cert, false],
    ["booking.bureau.key", config.booking.bureau.key, true],
  ];
  for (const [path, file, secret] of files) {
    if (file === undefined) continue;
    let mode: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) {
        problems.push(`${path}: ${file} is not a regular file`);
        continue;
      }
      mode = st.mode;
    } catch (e) {
      problems.push(`${path}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      continue;
    }
    if (secret && (mode & 0o007) !== 0) {
      problems.push(
        `${path}: ${file} is accessible by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 0640 ${file}`,
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
