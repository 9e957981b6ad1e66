/** Every MQTT topic the agent and the NOC use is built or parsed here, and nowhere else. */

export const DEFAULT_TOPIC_ROOT = "cctns/state";

/** A station id or a link/device name must be one topic level: no wildcards, no separators. */
export const TOPIC_LEVEL = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const COMMAND_NAMES = ["rebirth", "resend", "diagnose", "config-apply", "update"] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export interface StationTopics {
  readonly base: string;
  readonly state: string;
  readonly event: string;
  readonly metrics: string;
  readonly uptime: string;
  readonly power: string;
  link(name: string): string;
  device(id: string): string;
  command(name: string): string;
  /** Subscription filter for every command addressed to this station. */
  readonly commandFilter: string;
  /** Where replies go when the client is on MQTT 3.1.1 and cannot use a response topic. */
  reply(name: string): string;
}

export function stationTopics(root: string, station: string): StationTopics {
  const base = `${root}/${station}`;
  return {
    base,
    state: `${base}/state`,
    event: `${base}/event`,
    metrics: `${base}/metrics`,
    uptime: `${base}/uptime`,
    power: `${base}/power`,
    link: (name) => `${base}/link/${name}`,
    device: (id) => `${base}/device/${id}`,
    command: (name) => `${base}/cmd/${name}`,
    commandFilter: `${base}/cmd/+`,
    reply: (name) => `${base}/reply/${name}`,
  };
}

/** The filter a NOC collector subscribes to for every station under a root. */
export function allStationsFilter(root: string): string {
  return `${root}/+/#`;
}

export type ParsedTopic =
  | { station: string; kind: "state" | "event" | "metrics" | "uptime" | "power" }
  | { station: string; kind: "link" | "device" | "cmd" | "reply"; name: string };

/** Parse a topic under `root`; undefined when it is not a station topic of this contract. */
export function parseTopic(root: string, topic: string): ParsedTopic | undefined {
  if (!topic.startsWith(`${root}/`)) return undefined;
  const parts = topic.slice(root.length + 1).split("/");
  const [station, kind, name, ...rest] = parts;
  if (!station || !kind || rest.length > 0 || !TOPIC_LEVEL.test(station)) return undefined;
  if (name === undefined) {
    if (kind === "state" || kind === "event" || kind === "metrics" || kind === "uptime" || kind === "power") {
      return { station, kind };
    }
    return undefined;
  }
  if (
    (kind === "link" || kind === "device" || kind === "cmd" || kind === "reply") &&
    TOPIC_LEVEL.test(name)
  ) {
    return { station, kind, name };
  }
  return undefined;
}
