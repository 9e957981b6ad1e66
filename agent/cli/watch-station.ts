import { redactUrl } from "../redact.js";
import pino from "pino";
import { MqttSession } from "../mqtt-session.js";
import { watchLine } from "./watch-lines.js";

/** `station-agent watch`: subscribe to a station (or all) and print each message on one readable line. */
export async function watchStation(o: {
  url: string;
  root: string;
  station: string;
  protocolVersion: 4 | 5;
  /** Print each payload as it came (one JSON document per line) instead of a readable line. */
  json?: boolean;
}): Promise<void> {
  const session = new MqttSession({
    url: o.url,
    protocolVersion: o.protocolVersion,
    keepalive: 30,
    clientId: `watch-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    reconnect: { minMs: 1000, maxMs: 10_000 },
    log: pino({ level: "silent" }),
  });
  const filter = `${o.root}/${o.station}/#`;
  session.onConnect(() => {
    process.stderr.write(`watching ${filter} on ${redactUrl(o.url)}\n`);
    session.subscribe(filter).catch((e: Error) => process.stderr.write(`subscribe failed: ${e.message}\n`));
  });
  let stopping = false;
  session.onClose((r) => {
    if (!stopping) process.stderr.write(`disconnected (${r}); retrying\n`);
  });
  session.onMessage((m) => {
    if (o.json) {
      const text = m.payload.toString("utf8");
      process.stdout.write(`${JSON.stringify({ topic: m.topic, payload: parseOr(text) })}\n`);
    } else process.stdout.write(`${watchLine(o.root, m.topic, m.payload, Date.now())}\n`);
  });
  session.start();
  await new Promise<void>((resolve) => {
    const end = () => {
      stopping = true;
      void session.stop().then(resolve);
    };
    process.once("SIGINT", end);
    process.once("SIGTERM", end);
  });
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
