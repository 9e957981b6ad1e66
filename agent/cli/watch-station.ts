import { redactUrl } from "../redact.js";
import pino from "pino";
import { MqttSession } from "../mqtt-session.js";

/** `station-agent watch`: subscribe to a station (or all) and print each message on one readable line. */
export async function watchStation(o: {
  url: string;
  root: string;
  station: string;
  protocolVersion: 4 | 5;
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
  session.onClose((r) => process.stderr.write(`disconnected (${r}); retrying\n`));
  session.onMessage((m) => {
    const topic = m.topic.slice(o.root.length + 1);
    let text = m.payload.toString("utf8");
    try {
      const v = JSON.parse(text) as Record<string, unknown>;
      const head = [
        v.seq !== undefined ? `#${String(v.seq)}` : "",
        v.type ? String(v.type) : "",
        v.historical ? "(historical)" : "",
      ]
        .filter(Boolean)
        .join(" ");
      text = `${head ? `${head} ` : ""}${JSON.stringify(v)}`;
    } catch {
      // Not JSON: print as is.
    }
    process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${topic}  ${text}\n`);
  });
  session.start();
  await new Promise<void>((resolve) => {
    const end = () => void session.stop().then(resolve);
    process.once("SIGINT", end);
    process.once("SIGTERM", end);
  });
}
