import { z } from "zod";
import { DeviceConfig } from "./devices.js";
import { BookingConfig } from "./booking.js";
import { LinkConfig } from "./links.js";
import { isTimeZone } from "./time-zone.js";

/** The single source of the config's types, defaults and validation. Key names are fixed (operators' tooling). */

const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "1-64 of A-Z a-z 0-9 _ . - starting alphanumeric");
const TopicRoot = z
  .string()
  .min(1)
  .max(128)
  .refine((s) => !/[#+\0]/.test(s) && !s.startsWith("/") && !s.endsWith("/"), {
    message: "must not contain + # or start/end with /",
  });

export const MqttUrl = z
  .string()
  // A password in the URL would show wherever the URL does (logs, status, the diagnose reply).
  .refine((s) => !/^[a-z]+:\/\/[^/]*@/i.test(s), {
    message: "must not contain user:password@; set mqtt.username and mqtt.passwordFile instead",
    abort: true,
  })
  .refine((s) => s === "embedded" || /^mqtts?:\/\/[^/\s@]+(:\d+)?\/?$/.test(s), {
    message: 'must be mqtt://host[:port], mqtts://host[:port] or "embedded"',
  });

export const ConfigSchema = z
  .object({
    station: z
      .object({
        id: Id.describe("Station id: one MQTT topic level, e.g. the CCTNS station code"),
        name: z.string().max(200).optional(),
        district: z.string().max(100).optional(),
      })
      .strict(),
    mqtt: z
      .object({
        url: MqttUrl.default("mqtt://127.0.0.1:1883"),
        protocolVersion: z
          .union([z.literal(5), z.literal(4)])
          .default(5)
          .describe("5 = MQTT 5, 4 = MQTT 3.1.1"),
        keepalive: z.number().int().min(5).max(3600).default(30).describe("seconds"),
        topicRoot: TopicRoot.default("cctns/state"),
        clientId: z.string().max(128).optional(),
        username: z.string().max(256).optional(),
        password: z.string().max(1024).optional(),
        passwordFile: z.string().optional(),
        tls: z
          .object({
            ca: z.string().optional(),
            cert: z.string().optional(),
            key: z.string().optional(),
            rejectUnauthorized: z.boolean().default(true),
          })
          .strict()
          .refine((t) => (t.cert === undefined) === (t.key === undefined), {
            message: "cert and key must be given together",
          })
          .optional(),
        reconnect: z
          .object({
            minMs: z.number().int().min(100).max(60_000).default(1000),
            maxMs: z.number().int().min(1000).max(600_000).default(60_000),
          })
          .strict()
          .refine((r) => r.maxMs >= r.minMs, { message: "maxMs must be >= minMs" })
          .prefault({}),
        embeddedPort: z.number().int().min(0).max(65535).default(1884).describe("port for url: embedded"),
        inflight: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .default(100)
          .describe("QoS 1 messages in flight while draining"),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        dir: z.string().min(1).default("/var/lib/station-agent"),
        maxBytes: z
          .number()
          .int()
          .min(64 * 1024)
          .default(256 * 1024 * 1024),
        historyDays: z.number().int().min(0).max(90).default(7),
        historyMaxBytes: z
          .number()
          .int()
          .min(0)
          .default(128 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({ intervalMs: z.number().int().min(1000).max(3_600_000).default(60_000) })
      .strict()
      .prefault({}),
    ledger: z
      .object({
        heartbeatMs: z.number().int().min(500).max(60_000).default(5000),
        timezone: z.string().default("Asia/Kolkata"),
      })
      .strict()
      .refine((l) => isTimeZone(l.timezone), { message: "unknown IANA time zone", path: ["timezone"] })
      .prefault({}),
    clock: z
      .object({ assumeSynced: z.boolean().optional().describe("override NTP detection (tests, lab)") })
      .strict()
      .prefault({}),
    ui: z
      .object({
        // No default: unset, the CLI follows LANG (hi_IN.UTF-8 means Hindi) and slips are English.
        language: z
          .enum(["en", "hi"])
          .optional()
          .describe(
            "language of what the CLI says to staff (status, doctor, devices, booking, print) and of the fixed labels on printed slips; --lang overrides; unset: the CLI follows LANG",
          ),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      })
      .strict()
      .prefault({}),
    api: z
      .object({
        enabled: z.boolean().default(true),
        socket: z
          .string()
          .min(1)
          .max(100)
          .optional()
          .describe(
            "unix socket; default /run/station-agent/api.sock with the packaged storage.dir, else <storage.dir>/api.sock",
          ),
        socketGroup: z
          .string()
          .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "a group name")
          .default("station-api")
          .describe("group given the socket (mode 0660); put the CCTNS client's user in it"),
        tcpPort: z
          .number()
          .int()
          .min(1)
          .max(1023)
          .optional()
          .describe("opt-in loopback TCP; below 1024 so no local user can take it first (docs/security.md)"),
        port: z
          .number()
          .int()
          .optional()
          .describe("no longer used (the API is on api.socket); kept so older configs still start"),
        tokenFile: z.string().optional().describe("default: <storage.dir>/api-token"),
      })
      .strict()
      .prefault({}),
    commands: z
      .object({
        nocPublicKey: z
          .string()
          .optional()
          .describe("PEM file of the NOC's Ed25519 key; without it the agent runs no commands"),
        allowUnsigned: z
          .boolean()
          .default(false)
          .describe("run unsigned commands without nocPublicKey (lab only; doctor flags it)"),
        maxAgeS: z.number().int().min(10).max(86_400).default(300),
        ratePerMinute: z.number().int().min(1).max(600).default(30),
      })
      .strict()
      .prefault({}),
    host: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe("sample the PC's own health (disks, SMART, temperature, time sync)"),
        dataPaths: z
          .array(z.string().min(1).max(4096))
          .max(8)
          .default(["/"])
          .describe("where the CCTNS data lives; its disk is named first in status"),
        diskLowPct: z.number().min(50).max(100).default(90),
        diskClearPct: z.number().min(40).max(100).default(85),
        overheatC: z.number().min(40).max(120).default(85),
        overheatClearC: z.number().min(30).max(120).default(75),
        clockUnsyncedAfterS: z.number().int().min(60).max(86_400).default(1800),
      })
      .strict()
      .refine((h) => h.diskClearPct < h.diskLowPct, {
        message: "diskClearPct must be below diskLowPct",
        path: ["diskClearPct"],
      })
      .refine((h) => h.overheatClearC < h.overheatC, {
        message: "overheatClearC must be below overheatC",
        path: ["overheatClearC"],
      })
      .prefault({}),
    fleet: z
      .object({
        confirmWithinS: z
          .number()
          .int()
          .min(5)
          .max(3600)
          .default(120)
          .describe("a NOC config fragment must see the agent healthy within this, or it is rolled back"),
        upgradeRunner: z
          .string()
          .default("/opt/station-agent/lib/station-agent-upgrade")
          .describe("the script the update command starts"),
      })
      .strict()
      .prefault({}),
    links: z.array(LinkConfig).default([]),
    devices: z.array(DeviceConfig).default([]),
    booking: BookingConfig.prefault({}),
  })
  .strict()
  // Runs even when other settings are invalid (`when`), so one pass lists every problem; the value may
  // then be only partly valid, hence the defensive reads.
  .superRefine(
    (c, ctx) => {
      const rows = (v: unknown): Record<string, unknown>[] =>
        Array.isArray(v)
          ? v.map((r) => (r && typeof r === "object" ? (r as Record<string, unknown>) : {}))
          : [];
      const links = rows(c.links);
      unique(
        links.map((l) => l.name),
        ["links"],
        "name",
        ctx,
      );
      unique(
        rows(c.devices).map((d) => d.id),
        ["devices"],
        "id",
        ctx,
      );
      unique(
        links.map((l) => l.interface),
        ["links"],
        "interface",
        ctx,
        "is already used by another link; each link is probed over its own interface",
      );
      const primaries = links.flatMap((l, i) => (l.role === "primary" ? [i] : []));
      for (const i of primaries.slice(1)) {
        ctx.addIssue({
          code: "custom",
          path: ["links", i, "role"],
          message: `only one link can be primary (links.${primaries[0]} is already); make this one backup`,
        });
      }
    },
    { when: () => true },
  );

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

function unique(values: unknown[], path: string[], key: string, ctx: z.RefinementCtx, why = ""): void {
  const seen = new Set<unknown>();
  values.forEach((v, i) => {
    if (typeof v !== "string") return;
    if (seen.has(v))
      ctx.addIssue({
        code: "custom",
        path: [...path, i, key],
        message: why ? `${key} "${v}" ${why}` : `duplicate ${key} "${v}"`,
      });
    seen.add(v);
  });
}
