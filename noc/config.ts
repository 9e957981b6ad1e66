/**
 * station-noc's config file (/etc/station-noc/config.yaml): YAML whose keys are the `serve` flags in
 * camelCase (`--mqtt-url` is `mqttUrl`). A flag given on the command line (or by its environment
 * variable) overrides the file. A bad file exits 78 (EX_CONFIG), as the agent does, so systemd's
 * restart loop does not spin on a typo.
 */
import { Option } from "commander";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { TOPIC_LEVEL } from "../contract/index.js";

export const EX_CONFIG = 78;

export class ConfigError extends Error {}

/** Where the package's unit keeps the database: systemd's StateDirectory, or its usual place. */
export function defaultStorage(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.STATE_DIRECTORY?.split(":")[0] || "/var/lib/station-noc";
  return join(state, "station-noc.db");
}

export function storageOption(): Option {
  return new Option("--storage <spec>", "SQLite file or postgres://... URL (?schema=name)")
    .default(defaultStorage())
    .env("STATION_NOC_STORAGE");
}

const path = z.string().min(1).max(4096);
const int = (min: number, max: number) => z.number().int().min(min).max(max);

export const NocConfigFile = z
  .object({
    mqttUrl: z
      .string()
      .max(512)
      .regex(
        /^mqtts?:\/\/[^\s@/]+(:\d+)?\/?$/,
        "mqtt://host[:port] or mqtts://host[:port], no user:password@",
      ),
    mqttProtocol: z.union([z.literal(4), z.literal(5)]),
    mqttUsername: z.string().max(256),
    mqttPasswordFile: path,
    mqttCa: path,
    mqttCert: path,
    mqttKey: path,
    root: z.string().min(1).max(128),
    instance: z.string().regex(TOPIC_LEVEL, "one topic level: A-Z a-z 0-9 _ . -"),
    privateKey: path,
    shareGroup: z.string().regex(TOPIC_LEVEL, "one topic level: A-Z a-z 0-9 _ . -"),
    role: z.enum(["all", "collector", "dashboard"]),
    refreshInterval: int(1, 600),
    storage: z.string().min(1).max(4096),
    httpHost: z.string().min(1).max(253),
    httpPort: int(0, 65535),
    timeZone: z.string().min(1).max(64),
    silentAfter: int(5, 86_400),
    registry: path,
    adminTokenFile: path,
    retentionDays: int(1, 3650),
    rollupInterval: int(10, 3600),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    allowedHosts: z.array(z.string().min(1).max(253)).min(1).max(100),
    trustedProxies: z.array(z.string().refine((a) => isIP(a) !== 0, "an IP address")).max(100),
    proxyUserHeader: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "an HTTP header name"),
    sessionIdleMinutes: int(1, 24 * 60),
    sessionMaxHours: int(1, 24 * 7),
    tlsCert: path,
    tlsKey: path,
    fleetOps: z.boolean(),
    fleetInterval: int(1, 600),
    /** The alert rules file (docs/alerts.md). */
    alerts: path,
  })
  .partial()
  .strict()
  .refine((c) => (c.tlsCert === undefined) === (c.tlsKey === undefined), "tlsCert and tlsKey go together");
export type NocConfigFile = z.infer<typeof NocConfigFile>;

/** Reads and validates the file; every problem is a ConfigError naming the file and the key. */
export function loadConfigFile(file: string): NocConfigFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let doc: unknown;
  try {
    // maxAliasCount: an alias bomb is a config error, not an out-of-memory.
    doc = parse(text, { maxAliasCount: 100 }) ?? {};
  } catch (e) {
    throw new ConfigError(`${file}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = NocConfigFile.safeParse(doc);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new ConfigError(`${file}:\n${lines.join("\n")}`);
  }
  return r.data;
}

/**
 * Flags over file over defaults. `source(key)` is commander's getOptionValueSource: "cli" or "env" when
 * the operator set the flag, "default" or undefined otherwise.
 */
export function mergeFlags<F extends object>(
  flags: F,
  file: NocConfigFile,
  source: (key: string) => string | undefined,
): F {
  const out = { ...flags } as Record<string, unknown>;
  for (const [key, value] of Object.entries(file)) {
    const s = source(key);
    if (s === "cli" || s === "env") continue;
    // The protocol flag is a string choice ("4"/"5"); the file holds a number.
    out[key] = key === "mqttProtocol" ? String(value) : value;
  }
  return out as F;
}
