/**
 * The alert rules file (`station-noc --alerts FILE`): YAML checked by one zod schema. A bad file is
 * refused with the path of each mistake (`rules.2.for: ...`); on a reload the last good rules stay.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * "30s", "10m", "2h", "1d" (or a bare number of seconds) in milliseconds. A `.default()` after it is
 * returned as it is (zod skips the transform), so defaults are written in milliseconds.
 */
export const Duration = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === "number") return v * 1000;
  const m = /^(\d+(?:\.\d+)?)\s*([smhd])$/.exec(v.trim());
  if (!m) {
    ctx.addIssue({ code: "custom", message: `"${v}" is not a duration such as 30s, 10m, 2h or 1d` });
    return z.NEVER;
  }
  return Number(m[1]) * (UNITS[m[2] as string] as number);
});

export const Severity = z.enum(["info", "warning", "critical"]);
export type Severity = z.infer<typeof Severity>;
export const SEVERITY_ORDER: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export const DarkCause = z.enum(["power", "network", "agent", "unknown", "silent"]);

const Common = {
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "lower-case letters, digits, - _ ."),
  severity: Severity.default("warning"),
  /** The condition must hold this long before the alert fires (no alert for a blip). */
  for: Duration.default(0),
  /** Notify again this often while firing and unacknowledged; absent: once (plus escalation). */
  repeat: Duration.optional(),
  /** Send a notice when the alert resolves. */
  resolveNotice: z.boolean().default(true),
  /** Only stations of these districts; absent: all. */
  districts: z.array(z.string().min(1)).optional(),
  description: z.string().max(500).optional(),
};

export const Rule = z.discriminatedUnion("kind", [
  z
    .object({
      ...Common,
      kind: z.literal("station-dark"),
      causes: z.array(DarkCause).min(1).optional(),
      /** false: never grouped into an incident and never held for correlation (a single key site). */
      correlate: z.boolean().default(true),
    })
    .strict(),
  z.object({ ...Common, kind: z.literal("station-silent") }).strict(),
  z.object({ ...Common, kind: z.literal("on-backup") }).strict(),
  z
    .object({
      ...Common,
      kind: z.literal("device-faulted"),
      devices: z
        .array(z.enum(["scanner", "printer", "ups"]))
        .min(1)
        .optional(),
      /** Only these faults, matched against the start of the device's reason (paper-out, cover-open). */
      reasons: z.array(z.string().min(1)).optional(),
    })
    .strict(),
  z
    .object({
      ...Common,
      kind: z.literal("on-battery"),
      states: z
        .array(z.enum(["on-battery", "battery-low", "shutdown-imminent"]))
        .min(1)
        .default(["on-battery", "battery-low", "shutdown-imminent"]),
    })
    .strict(),
  z
    .object({
      ...Common,
      kind: z.literal("availability-below"),
      scope: z.enum(["station", "district"]),
      period: z.enum(["today", "month"]),
      belowPct: z.number().min(0).max(100),
    })
    .strict(),
  z.object({ ...Common, kind: z.literal("sequence-loss") }).strict(),
  z
    .object({
      ...Common,
      kind: z.literal("noc-self"),
      watch: z.enum(["collector-lag", "storage-errors", "broker-disconnected"]),
      /** collector-lag: p99 ingest lag above this. */
      lagAbove: Duration.optional(),
    })
    .strict(),
]);
export type Rule = z.infer<typeof Rule>;

const Webhook = z
  .object({
    type: z.literal("webhook"),
    url: z.url(),
    /** File holding the HMAC-SHA256 key; the signature goes in X-Station-Noc-Signature. */
    secretFile: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    ratePerMinute: z.number().int().min(1).max(10_000).default(60),
    timeout: Duration.default(10_000),
  })
  .strict();

const Email = z
  .object({
    type: z.literal("email"),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** TLS from the first byte (465); otherwise STARTTLS when the server offers it. */
    secure: z.boolean().default(false),
    requireTls: z.boolean().default(false),
    user: z.string().optional(),
    passwordFile: z.string().optional(),
    /** Extra CA (PEM file) for a private mail server. */
    caFile: z.string().optional(),
    from: z.string().min(3),
    ratePerMinute: z.number().int().min(1).max(10_000).default(30),
    timeout: Duration.default(20_000),
  })
  .strict();

const Sms = z
  .object({
    type: z.literal("sms"),
    /** Placeholders {to} {message} {dlt} {severity} {station} are filled (URL-encoded in the URL). */
    url: z.url(),
    method: z.enum(["GET", "POST"]).default("POST"),
    params: z.record(z.string(), z.string()).optional(),
    body: z.string().optional(),
    contentType: z.string().default("application/json"),
    headers: z.record(z.string(), z.string()).optional(),
    /** The registered DLT template id (India) and the text registered with it. */
    dltTemplateId: z.string().optional(),
    template: z.string().default("{severity}: {title}"),
    maxLength: z.number().int().min(20).max(2000).default(160),
    /**
     * For contacts with `language: hi`: the Hindi template, registered on DLT as a Unicode template
     * with its own id. 70 characters is one Unicode SMS; longer goes as several parts of 67.
     */
    hindi: z
      .object({
        template: z.string().min(1),
        dltTemplateId: z.string().optional(),
        maxLength: z.number().int().min(20).max(2000).default(70),
      })
      .strict()
      .optional(),
    ratePerMinute: z.number().int().min(1).max(10_000).default(30),
    timeout: Duration.default(10_000),
  })
  .strict();

export const Channel = z.discriminatedUnion("type", [Webhook, Email, Sms]);
export type Channel = z.infer<typeof Channel>;

const Contact = z
  .object({
    name: z.string().min(1),
    /** Only alerts of these districts (a district officer); absent: every district. */
    districts: z.array(z.string().min(1)).optional(),
    minSeverity: Severity.default("warning"),
    /** The language of this contact's emails and SMS. */
    language: z.enum(["en", "hi"]).default("en"),
    targets: z
      .array(z.object({ channel: z.string().min(1), to: z.string().min(1).optional() }).strict())
      .min(1),
  })
  .strict();
export type Contact = z.infer<typeof Contact>;

export const AlertsFile = z
  .object({
    /** Base of the links in notifications, e.g. https://noc.example/ (the station page is #/station/ID). */
    dashboardUrl: z.url().optional(),
    rules: z.array(Rule).default([]),
    correlation: z
      .object({
        minStations: z.number().int().min(2).default(5),
        within: Duration.default(300_000),
        severity: Severity.default("critical"),
        /** A dark station's own alert waits at least this long, so that a PoP cut is seen whole. */
        hold: Duration.default(60_000),
      })
      .strict()
      .default({ minStations: 5, within: 300_000, severity: "critical", hold: 60_000 }),
    flapping: z
      .object({
        changes: z.number().int().min(2).default(5),
        within: Duration.default(600_000),
        severity: Severity.default("warning"),
      })
      .strict()
      .default({ changes: 5, within: 600_000, severity: "warning" }),
    channels: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), Channel).default({}),
    contacts: z.array(Contact).default([]),
    /** Who is told, in turn, while an alert stays unacknowledged. Step 0 is told when it fires. */
    escalation: z
      .array(z.object({ after: Duration, contacts: z.array(z.string().min(1)).min(1) }).strict())
      .default([]),
    retry: z
      .object({
        first: Duration.default(5000),
        max: Duration.default(600_000),
        giveUpAfter: Duration.default(86_400_000),
      })
      .strict()
      .default({ first: 5000, max: 600_000, giveUpAfter: 86_400_000 }),
  })
  .strict()
  .superRefine((f, ctx) => {
    const names = new Set<string>();
    f.rules.forEach((r, i) => {
      if (names.has(r.name))
        ctx.addIssue({
          code: "custom",
          path: ["rules", i, "name"],
          message: `duplicate rule name ${r.name}`,
        });
      names.add(r.name);
    });
    const contacts = new Set(f.contacts.map((c) => c.name));
    f.contacts.forEach((c, i) =>
      c.targets.forEach((t, j) => {
        const ch = f.channels[t.channel];
        if (!ch)
          ctx.addIssue({
            code: "custom",
            path: ["contacts", i, "targets", j, "channel"],
            message: `no channel ${t.channel}`,
          });
        else if (ch.type !== "webhook" && !t.to)
          ctx.addIssue({
            code: "custom",
            path: ["contacts", i, "targets", j, "to"],
            message: `${ch.type} needs "to"`,
          });
        else if (ch.type === "sms" && c.language === "hi" && !ch.hindi)
          ctx.addIssue({
            code: "custom",
            path: ["contacts", i, "targets", j, "channel"],
            message: `sms channel ${t.channel} has no "hindi" template for this language: hi contact`,
          });
      }),
    );
    for (const [name, ch] of Object.entries(f.channels))
      if (ch.type === "sms" && ch.hindi && ch.dltTemplateId && !ch.hindi.dltTemplateId)
        ctx.addIssue({
          code: "custom",
          path: ["channels", name, "hindi", "dltTemplateId"],
          message: "a Hindi text is its own DLT template: give its registered id",
        });
    f.escalation.forEach((e, i) =>
      e.contacts.forEach((c, j) => {
        if (!contacts.has(c))
          ctx.addIssue({
            code: "custom",
            path: ["escalation", i, "contacts", j],
            message: `no contact ${c}`,
          });
      }),
    );
  });
export type AlertsConfig = z.infer<typeof AlertsFile>;

export function emptyConfig(): AlertsConfig {
  return AlertsFile.parse({});
}

/** Parses the text of a rules file; throws one Error naming the file and every mistake's path. */
export function parseAlerts(text: string, source: string): AlertsConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` line ${e.linePos[0].line}` : "";
    throw new Error(`${source}${where}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const r = AlertsFile.safeParse(raw);
  if (!r.success)
    throw new Error(
      `${source}: ${r.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ")}`,
    );
  return r.data;
}

export function loadAlertsFile(path: string): AlertsConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseAlerts(text, path);
}
