// What docs/mqtt.md says about each topic beyond its schema: when it is sent, and a realistic example.
import type { z } from "zod";
import * as c from "../../contract/index.js";

const STATION = "MH-NGP-0107";
const T = "2026-03-10T09:41:27.512Z";

export interface TopicDoc {
  /** File name under docs/schemas/ (without .json). */
  file: string;
  topic: string;
  /** The section heading when it is not the topic. */
  heading?: string;
  delivery: string;
  when: string;
  schema: z.ZodType;
  examples: { title?: string; payload: unknown }[];
  notes?: string;
}

const envelope = (seq: number, time = T) => ({ station: STATION, seq, time, clockSynced: true });

const window = (coveredS: number, outage: { power: number; agent: number; network: number }) => ({
  coveredS,
  poweredPct: Math.round(10000 * (1 - outage.power / coveredS)) / 100,
  agentPct: Math.round(10000 * (1 - (outage.power + outage.agent) / coveredS)) / 100,
  nocPct: Math.round(10000 * (1 - (outage.power + outage.agent + outage.network) / coveredS)) / 100,
  outageS: outage,
  onBatteryS: 1260,
  onBackupS: 5400,
  links: { mpls: { upPct: 97.8 }, "4g": { upPct: 99.6 } },
});

export const TOPICS: TopicDoc[] = [
  {
    file: "state",
    topic: "<root>/<station>/state",
    delivery: "retained, QoS 1",
    when:
      "The birth (`online: true`) on every connect and after a `rebirth` command. The broker publishes the " +
      "Last Will (`online: false, cause: connection-lost`) when the agent's connection dies without a clean " +
      "disconnect; a clean stop publishes `online: false, cause: shutdown` itself.",
    schema: c.StatePayload,
    examples: [
      {
        title: "Birth",
        payload: {
          online: true,
          station: STATION,
          name: "Sitabuldi Police Station",
          district: "Nagpur",
          bootId: "6f1c2a4e-8d0b-4b7e-9a53-2f0f6c1d9e47",
          bootTime: "2026-03-10T03:12:05.000Z",
          agentVersion: "0.1.0",
          configHash: "sha256:9c41e0d2b7a3",
          startedAt: "2026-03-10T03:12:31.870Z",
          time: T,
          clockSynced: true,
          links: [
            { name: "mpls", role: "primary", state: "up" },
            { name: "4g", role: "backup", state: "up" },
          ],
          devices: [
            { device: "scanner1", kind: "fingerprint", health: "ready" },
            { device: "printer1", kind: "printer", health: "ready" },
            { device: "ups", kind: "ups", health: "ready" },
          ],
        },
      },
      { title: "Last Will", payload: { online: false, cause: "connection-lost", station: STATION } },
    ],
  },
  {
    file: "event",
    topic: "<root>/<station>/event",
    delivery: "durable, QoS 1, not retained",
    when:
      "When something happens: each `type` below says when. Written to the station's outbox first, so an " +
      "event raised while the station is offline is sent later with `historical: true`.",
    schema: c.EventPayload,
    examples: [
      {
        payload: {
          ...envelope(48213),
          type: "printer.paper-out",
          data: { device: "printer1", reason: "paper-out", detail: "printer reports paper-out" },
        },
      },
    ],
    notes:
      "`data` depends on `type`; the [event types](#event-types) section lists each. A receiver stores an " +
      "event of a type it does not know rather than dropping it (its `seq` counts like any other).",
  },
  {
    file: "metrics",
    topic: "<root>/<station>/metrics",
    delivery: "durable, QoS 1, not retained",
    when:
      "Every `metrics.intervalMs` (default 60 s). When the outbox fills up during a long outage, old samples " +
      "are thinned out first (counted in `dropped.metrics`).",
    schema: c.MetricsPayload,
    examples: [
      {
        payload: {
          ...envelope(48214),
          host: {
            uptimeS: 23362,
            load1: 0.42,
            load5: 0.35,
            load15: 0.3,
            memTotalBytes: 8254312448,
            memAvailableBytes: 5120356352,
          },
          disk: { path: "/var/lib/station-agent", freeBytes: 96517652480, totalBytes: 250375106560 },
          agent: { rssBytes: 61341696, cpuPct: 0.8, uptimeS: 23336 },
          outbox: { depth: 0, bytes: 0, oldestAgeS: null },
          dropped: { metrics: 0, events: 0 },
          links: {
            mpls: {
              state: "up",
              active: true,
              lossPct: 0,
              rttMedianMs: 18.4,
              rxBytes: 1843200,
              txBytes: 412331,
              rxErrors: 0,
              txErrors: 0,
            },
            "4g": { state: "up", active: false, lossPct: 1.7, rttMedianMs: 64.2, rxErrors: 0, txErrors: 0 },
          },
        },
      },
    ],
  },
  {
    file: "uptime",
    topic: "<root>/<station>/uptime",
    delivery: "retained, QoS 1",
    when:
      "On every connect and every minute while connected (the broker keeps the latest). The figures come " +
      "from the station's own ledger, so they include the time it could not report.",
    schema: c.UptimePayload,
    examples: [
      {
        payload: {
          station: STATION,
          time: T,
          clockSynced: true,
          windows: {
            "24h": window(86400, { power: 0, agent: 0, network: 1860 }),
            "7d": window(604800, { power: 5400, agent: 120, network: 7320 }),
            "30d": window(2592000, { power: 21600, agent: 300, network: 25200 }),
          },
        },
      },
    ],
  },
  {
    file: "link",
    topic: "<root>/<station>/link/<name>",
    delivery: "retained, QoS 1",
    when:
      "When the link's state, `since`, `active`, `reason` or interface state changes (the figures ride " +
      "along; they alone do not cause a publish). The topic level `<name>` is the configured link name.",
    schema: c.LinkState,
    examples: [
      {
        payload: {
          station: STATION,
          link: "mpls",
          interface: "eth0",
          role: "primary",
          state: "down",
          since: "2026-03-10T09:38:02.114Z",
          active: false,
          time: T,
          figures: {
            sent: 60,
            received: 0,
            lossPct: 100,
            rttMinMs: null,
            rttMedianMs: null,
            rttMeanMs: null,
            rttMaxMs: null,
            jitterMs: null,
          },
          interfaceState: { operstate: "up", carrier: true, addresses: ["10.44.17.23/28"] },
          reason: "no reply from the data centre (10.1.1.10) for 10 s",
        },
      },
    ],
  },
  {
    file: "device",
    topic: "<root>/<station>/device/<id>",
    delivery: "retained, QoS 1",
    when:
      "When a configured device's health, reason, identity or status changes. The topic level `<id>` is the " +
      "configured device id. Never carries fingerprint images, templates or names.",
    schema: c.DeviceState,
    examples: [
      {
        payload: {
          station: STATION,
          device: "printer1",
          kind: "printer",
          driver: "escpos",
          health: "faulted",
          since: "2026-03-10T09:40:55.030Z",
          time: T,
          reason: "paper-out: printer reports paper-out",
          identity: { path: "/dev/usb/lp0" },
          status: {
            online: true,
            paper: "out",
            coverOpen: false,
            cutterError: false,
            unrecoverableError: false,
            raw: "16 12 6c 00",
          },
        },
      },
    ],
  },
  {
    file: "power",
    topic: "<root>/<station>/power",
    delivery: "retained, QoS 1",
    when:
      "When the power state, mains presence or reason changes, or the charge moves by 1 point or the " +
      "runtime estimate by 60 s or more.",
    schema: c.PowerState,
    examples: [
      {
        payload: {
          station: STATION,
          time: T,
          source: "battery",
          mainsPresent: false,
          batteryPct: 71,
          runtimeS: 1380,
          state: "on-battery",
          since: "2026-03-10T09:31:12.000Z",
        },
      },
    ],
  },
];

const command = (args: unknown) => ({
  id: "b7e2c1d4-5f3a-4c8e-9d21-7a6b5c4d3e2f",
  issuedAt: "2026-03-10T09:45:00.000Z",
  args,
});

export const COMMANDS: TopicDoc[] = [
  {
    file: "cmd-rebirth",
    topic: "<root>/<station>/cmd/rebirth",
    delivery: "NOC to station, QoS 1",
    when:
      "When the NOC wants the station's current state again (e.g. after the broker lost retained messages). " +
      "The agent republishes the birth and every retained topic, then replies `{}`.",
    schema: c.RebirthCommand,
    examples: [{ payload: command({}) }],
  },
  {
    file: "cmd-resend",
    topic: "<root>/<station>/cmd/resend",
    delivery: "NOC to station, QoS 1",
    when:
      "When the NOC sees a gap in `seq`. The agent republishes the stored messages of the range (marked " +
      "`historical`) from its history window (7 days, size-bounded; at most 5,000 per command), then replies " +
      "with a [resend result](#resend-result).",
    schema: c.ResendCommand,
    examples: [{ payload: command({ fromSeq: 48100, toSeq: 48212 }) }],
  },
  {
    file: "cmd-diagnose",
    topic: "<root>/<station>/cmd/diagnose",
    delivery: "NOC to station, QoS 1",
    when: "When an engineer wants the station's self-check. The reply's `result` is the `doctor` report.",
    schema: c.DiagnoseCommand,
    examples: [{ payload: command({}) }],
  },
  {
    file: "reply",
    topic: "<root>/<station>/reply/<name>",
    delivery: "station to NOC, QoS 1, not retained",
    when:
      "Once per command, after it ran or was refused. On MQTT 5 the reply goes to the request's response topic " +
      "with its correlation data, if that topic is inside the station's own tree (`<root>/<station>/reply/...`, " +
      "the only place the broker ACL lets a station publish); otherwise, and on MQTT 3.1.1, to " +
      "`<root>/<station>/reply/<name>` where `<name>` is the command name. Match it by `id`.",
    schema: c.CommandReply,
    examples: [
      {
        title: "A resend that ran",
        payload: {
          id: "b7e2c1d4-5f3a-4c8e-9d21-7a6b5c4d3e2f",
          ok: true,
          time: "2026-03-10T09:45:00.412Z",
          result: { republished: 104, gone: [{ fromSeq: 48100, toSeq: 48108 }] },
        },
      },
      {
        title: "A refused command",
        payload: {
          id: "b7e2c1d4-5f3a-4c8e-9d21-7a6b5c4d3e2f",
          ok: false,
          time: "2026-03-10T09:45:00.020Z",
          error: "malformed resend command: args.toSeq: toSeq must be >= fromSeq",
        },
      },
    ],
  },
  {
    file: "resend-result",
    topic: "inside the reply",
    heading: "Resend result",
    delivery: "inside the reply",
    when: "In the reply to `resend` when `ok` is true.",
    schema: c.ResendResult,
    examples: [{ payload: { republished: 5000, gone: [], nextFromSeq: 53100 } }],
  },
];
