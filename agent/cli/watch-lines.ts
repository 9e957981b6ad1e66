/** One readable line per MQTT message for `station-agent watch`; `--json` prints the raw payload instead. */
import type { DeviceState, LinkState, PowerState, StatePayload } from "../../contract/index.js";
import { parseTopic } from "../../contract/topics.js";
import { eventSentence } from "../../contract/event-words.js";
import { describeLink } from "../links/describe.js";
import { clockTime } from "../local-time.js";

type Json = Record<string, unknown>;

const two = (n: number) => String(n).padStart(2, "0");

/** HH:MM:SS in the process's zone (the caller sets TZ to the station's). */
export function clock(ms: number, utc = false): string {
  const d = new Date(ms);
  return utc
    ? `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
    : `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

const MiB = 1024 * 1024;

export function watchLine(
  root: string,
  topic: string,
  payload: Buffer,
  receivedMs: number,
  utc = false,
): string {
  const where = parseTopic(root, topic);
  const rel = topic.startsWith(`${root}/`) ? topic.slice(root.length + 1) : topic;
  const text = payload.toString("utf8");
  let v: Json | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) v = parsed as Json;
  } catch {
    // not JSON
  }
  const t =
    typeof v?.time === "string" && Number.isFinite(Date.parse(v.time)) ? Date.parse(v.time) : receivedMs;
  const head = `${clock(t, utc)} ${rel}`;
  if (payload.length === 0) return `${head}: (cleared)`;
  if (!where || !v) return `${head}: ${text.length > 200 ? `${text.slice(0, 200)}...` : text}`;
  const at = (iso: string) =>
    Number.isFinite(Date.parse(iso)) ? clockTime(Date.parse(iso), receivedMs, utc) : iso;
  const seq = typeof v.seq === "number" ? ` #${v.seq}` : "";
  const old = v.historical ? " (sent late, from the backlog)" : "";
  switch (where.kind) {
    case "state": {
      const s = v as unknown as StatePayload;
      if (!s.online) return `${head}: OFFLINE (${s.cause === "shutdown" ? "stopped" : "connection lost"})`;
      const links = s.links.map((l) => `${l.name} ${l.state}`).join(", ") || "none";
      const devices = s.devices.map((d) => `${d.device} ${d.health}`).join(", ") || "none";
      return `${head}: ONLINE, agent ${s.agentVersion}${s.name ? `, ${s.name}` : ""}; links: ${links}; devices: ${devices}${s.clockSynced ? "" : "; clock not synchronised"}`;
    }
    case "link":
      return `${head}: ${describeLink(v as unknown as LinkState, receivedMs, utc)}`;
    case "device": {
      const d = v as unknown as DeviceState;
      return `${head}: ${d.kind} (${d.driver}) ${d.health}${d.reason ? `: ${d.reason}` : ""}`;
    }
    case "power": {
      const p = v as unknown as PowerState;
      const pct = p.batteryPct !== null ? `, battery ${Math.round(p.batteryPct)} %` : "";
      return `${head}: ${p.state}${pct}${p.reason ? `: ${p.reason}` : ""}`;
    }
    case "metrics": {
      const m = v as Json & {
        outbox?: { depth?: number };
        agent?: { rssBytes?: number };
        host?: { load1?: number };
        disk?: { freeBytes?: number };
        links?: Record<string, { state: string; lossPct: number | null }>;
      };
      const links = Object.entries(m.links ?? {})
        .map(([n, l]) => `${n} ${l.state}${l.lossPct !== null ? ` ${l.lossPct} % loss` : ""}`)
        .join(", ");
      return `${head}${seq}${old}: ${m.outbox?.depth ?? "?"} waiting to send, agent ${Math.round((m.agent?.rssBytes ?? 0) / MiB)} MiB, load ${m.host?.load1 ?? "?"}, disk ${Math.round((m.disk?.freeBytes ?? 0) / MiB)} MiB free${links ? `; links: ${links}` : ""}`;
    }
    case "uptime": {
      const w = (v.windows ?? {}) as Record<string, { nocPct?: number | null }>;
      const pct = (k: string) => (typeof w[k]?.nocPct === "number" ? `${w[k].nocPct.toFixed(1)} %` : "n/a");
      return `${head}: connected to the NOC ${pct("24h")} of the last 24 h, ${pct("30d")} of 30 days`;
    }
    case "event": {
      const type = String(v.type);
      const sentence = eventSentence(type, (v.data ?? {}) as Json, at);
      return `${head}${seq}${old}: ${type}: ${sentence ?? JSON.stringify(v.data)}`;
    }
    default:
      return `${head}: ${JSON.stringify(v)}`;
  }
}
