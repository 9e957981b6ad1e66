import mqtt, { type MqttClient } from "mqtt";

export interface Received {
  topic: string;
  payload: Record<string, unknown>;
  retain: boolean;
}

/** A plain mqtt.js subscriber that records everything it receives, for assertions. */
export class Collector {
  readonly messages: Received[] = [];
  private constructor(readonly client: MqttClient) {}

  static async connect(
    url: string,
    filter: string,
    clientId = `test-${Math.random().toString(16).slice(2)}`,
  ): Promise<Collector> {
    // A persistent session, so messages published while this subscriber reconnects are not lost.
    const client = mqtt.connect(url, { clientId, clean: false, protocolVersion: 4, reconnectPeriod: 200 });
    const c = new Collector(client);
    client.on("message", (topic, payload, packet) => {
      try {
        c.messages.push({
          topic,
          payload: JSON.parse(payload.toString()) as Record<string, unknown>,
          retain: packet.retain,
        });
      } catch {
        c.messages.push({ topic, payload: { raw: payload.toString() }, retain: packet.retain });
      }
    });
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => client.subscribe(filter, { qos: 1 }, (e) => (e ? reject(e) : resolve())));
      client.once("error", reject);
    });
    return c;
  }

  on(topicSuffix: string): Received[] {
    return this.messages.filter((m) => m.topic.endsWith(topicSuffix));
  }

  async waitFor(pred: (msgs: Received[]) => boolean, timeoutMs = 30_000, what = "condition"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.messages)) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${this.messages.length} messages`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits for the station's offline state (a shutdown or the Last Will) and returns that payload. */
  async offlineState(timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const offline = (m: Received) => m.topic.endsWith("/state") && m.payload.online === false;
    await this.waitFor((msgs) => msgs.some(offline), timeoutMs, "offline state");
    return this.messages.filter(offline).at(-1)!.payload;
  }

  end(): Promise<void> {
    return new Promise((r) => this.client.end(true, {}, () => r()));
  }
}

export function seqs(msgs: Received[]): number[] {
  return msgs.map((m) => m.payload.seq).filter((s): s is number => typeof s === "number");
}
