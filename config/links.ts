import { z } from "zod";

/**
 * `links:` — owned by the link monitor. Each link is probed over its own interface; the state comes from
 * rounds (one per interval) in the manner of mwan3: N bad rounds to enter a state, M good ones to leave it.
 */

const Host = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+$|^[0-9A-Fa-f:.]+$/,
    "an IP address or a host name",
  )
  // "10.10.1.300" matches the host-name pattern, but nobody names a host with four numbers: it is a typo'd address.
  .refine((h) => !/^[0-9.]+$/.test(h) || isIpv4(h), {
    message: "not a valid IPv4 address (each of the four numbers must be 0-255)",
  });

function isIpv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

export const IcmpProbeConfig = z
  .object({ type: z.literal("icmp") })
  .strict()
  .describe("Echo requests from one long-running fping/ping process bound to the link's interface");
export const TcpProbeConfig = z
  .object({ type: z.literal("tcp"), port: z.number().int().min(1).max(65535) })
  .strict()
  .describe("TCP connect to the target's host on this port");
export const HttpProbeConfig = z
  .object({
    type: z.literal("http"),
    url: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }),
    expectStatus: z.number().int().min(100).max(599).default(200),
    /** Accept a self-signed certificate (the state data centre's internal CA is not always installed). */
    insecure: z.boolean().default(false),
  })
  .strict()
  .describe("HTTP(S) GET; the response status must equal expectStatus");
export const DnsProbeConfig = z
  .object({
    type: z.literal("dns"),
    name: Host.describe("name to resolve (A record)"),
    server: z
      .union([z.ipv4(), z.ipv6()], { error: "must be an IP address" })
      .optional()
      .describe("IP address of the DNS server to ask; default: the target's host"),
  })
  .strict();
export const ProbeConfig = z.discriminatedUnion("type", [
  IcmpProbeConfig,
  TcpProbeConfig,
  HttpProbeConfig,
  DnsProbeConfig,
]);
export type ProbeConfig = z.infer<typeof ProbeConfig>;

export const TargetRole = z.enum(["gateway", "datacentre", "dns"]);
export type TargetRole = z.infer<typeof TargetRole>;

export const TargetConfig = z
  .object({
    role: TargetRole.describe("gateway: first hop; datacentre: decides up/down; dns: diagnosis only"),
    host: Host.optional().describe("required except for the gateway, which is read from the routing table"),
    label: z.string().max(64).optional().describe("name shown in status and evidence; default role/host"),
    probes: z
      .array(ProbeConfig)
      .min(1)
      .prefault([{ type: "icmp" }]),
  })
  .strict()
  .refine((t) => t.role === "gateway" || t.host !== undefined, {
    message: "host is required for datacentre and dns targets",
    path: ["host"],
  });
export type TargetConfig = z.infer<typeof TargetConfig>;

const Limits = (loss: number, rtt: number | undefined) =>
  z
    .object({
      lossPct: z.number().min(0).max(100).default(loss),
      rttMs: rtt === undefined ? z.number().positive().optional() : z.number().positive().default(rtt),
    })
    .strict()
    .prefault({});

const Band = (enter: ReturnType<typeof Limits>, leave: ReturnType<typeof Limits>) =>
  z
    .object({ enter, leave })
    .strict()
    .prefault({})
    .refine((b) => b.leave.lossPct <= b.enter.lossPct, {
      message: "leave.lossPct must be <= enter.lossPct (hysteresis)",
      path: ["leave", "lossPct"],
    })
    .refine(
      (b) => b.enter.rttMs === undefined || b.leave.rttMs === undefined || b.leave.rttMs <= b.enter.rttMs,
      {
        message: "leave.rttMs must be <= enter.rttMs (hysteresis)",
        path: ["leave", "rttMs"],
      },
    );

export const LinkThresholds = z
  .object({
    /** Judged on the rolling window: loss % and median RTT of the link's reliability-th best target. */
    degraded: Band(Limits(20, 300), Limits(5, 150)),
    /** Besides downAfter rounds in a row with no answer, a window this lossy also means down. */
    down: Band(Limits(80, undefined), Limits(40, undefined)),
  })
  .strict()
  .prefault({})
  .refine((t) => t.degraded.enter.lossPct < t.down.enter.lossPct, {
    message: "degraded.enter.lossPct must be below down.enter.lossPct",
    path: ["degraded", "enter", "lossPct"],
  });
export type LinkThresholds = z.infer<typeof LinkThresholds>;

export const LinkConfig = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, "letters, digits, _ . - only"),
    interface: z.string().min(1).max(15),
    role: z.enum(["primary", "backup"]),
    targets: z
      .array(TargetConfig)
      .min(1)
      .prefault([{ role: "gateway" }]),
    intervalMs: z
      .number()
      .int()
      .min(100)
      .max(60_000)
      .default(2000)
      .describe("one round of probes every intervalMs"),
    timeoutMs: z
      .number()
      .int()
      .min(20)
      .max(30_000)
      .default(400)
      .describe(
        "a reply later than this counts as lost; must be below intervalMs. Down is seen within downAfter x intervalMs + timeoutMs",
      ),
    windowMs: z
      .number()
      .int()
      .min(500)
      .max(3_600_000)
      .default(60_000)
      .describe("rolling window for loss/RTT figures"),
    icmpPerRound: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(3)
      .describe("echo requests per round and ICMP target (mwan3 count), spread evenly over the interval"),
    icmpTool: z
      .enum(["auto", "fping", "ping"])
      .default("auto")
      .describe("auto: fping when installed, else ping"),
    reliability: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(1)
      .describe("how many deciding targets must answer for a round to be good (mwan3 reliability)"),
    downAfter: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(2)
      .describe("bad rounds in a row to enter down/degraded"),
    upAfter: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(3)
      .describe("good rounds in a row to leave down/degraded"),
    thresholds: LinkThresholds,
  })
  .strict()
  .refine((l) => l.timeoutMs < l.intervalMs, {
    message: "timeoutMs must be below intervalMs",
    path: ["timeoutMs"],
  })
  .refine((l) => l.intervalMs / l.icmpPerRound >= 20, {
    message: "intervalMs / icmpPerRound must be at least 20 ms",
    path: ["icmpPerRound"],
  })
  .refine((l) => l.windowMs >= 5 * l.intervalMs, {
    message: "windowMs must hold at least 5 rounds (5 x intervalMs)",
    path: ["windowMs"],
  })
  .refine((l) => (l.thresholds.degraded.enter.rttMs ?? 0) < l.timeoutMs, {
    message: "a reply slower than timeoutMs counts as lost, so degraded.enter.rttMs must be below timeoutMs",
    path: ["thresholds", "degraded", "enter", "rttMs"],
  });
export type LinkConfig = z.infer<typeof LinkConfig>;
export type LinkConfigInput = z.input<typeof LinkConfig>;
