// The only file in noc/ that imports mqtt.
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import type { BusMessage, NocBus, PublishOptions } from "./bus.js";

export interface BrokerConnectionOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  protocolVersion?: 4 | 5;
  /** Keep the session (subscriptions, queued QoS 1 messages) this long across a collector restart. */
  sessionExpiryS?: number;
  ca?: string;
  cert?: string;
  key?: string;
  reconnectMs?: number;
  /**
   * MQTT 5 only: QoS 1 messages are not acknowledged on receipt; each BusMessage carries an `ack` the
   * consumer calls once the message is safely stored. The next message is handled meanwhile.
   */
  holdAcks?: boolean;
  /** Where connection errors go (bad password, TLS, refused); without it they are only retried. */
  log?: ConnectionLog;
}

export type ConnectionLog = Pick<Logger, "error" | "info">;

/** mqtt.js internals used to hold PUBACKs (pinned version; see holdAcks). */
interface AckPacket {
  cmd: string;
  messageId?: number;
}
type SendPacket = (packet: AckPacket, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

/** Largest Receive Maximum MQTT 5 allows: held acks must not stop the broker sending. */
const RECEIVE_MAXIMUM = 65_535;

/** The NOC's connection to the broker: MQTT 5, persistent session, automatic reconnect and resubscribe. */
export class BrokerConnection implements NocBus {
  private client: MqttClient | undefined;
  private readonly handlers: ((m: BusMessage) => void)[] = [];
  private readonly connHandlers: ((c: boolean) => void)[] = [];
  /** Held PUBACKs by message id: the packet once mqtt.js wanted to send it, or "acked" if ack came first. */
  private readonly held = new Map<number, AckPacket | "acked" | "waiting">();
  /** Bumped on every disconnect: acks of messages from an earlier connection are void. */
  private connection = 0;

  constructor(private readonly options: BrokerConnectionOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  onMessage(handler: (m: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  onConnectionChange(handler: (connected: boolean) => void): void {
    this.connHandlers.push(handler);
  }

  /** Starts connecting; resolves on the first connection. Reconnects forever after that. */
  start(): Promise<void> {
    const o = this.options;
    const v5 = (o.protocolVersion ?? 5) === 5;
    const opts: IClientOptions = {
      clientId: o.clientId,
      protocolVersion: v5 ? 5 : 4,
      clean: false,
      reconnectPeriod: o.reconnectMs ?? 2000,
      connectTimeout: 10_000,
      keepalive: 30,
      username: o.username,
      password: o.password,
      ...(v5
        ? {
            properties: {
              sessionExpiryInterval: o.sessionExpiryS ?? 3600,
              ...(o.holdAcks ? { receiveMaximum: RECEIVE_MAXIMUM } : {}),
            },
          }
        : {}),
      ...(o.ca ? { ca: readFileSync(o.ca) } : {}),
      ...(o.cert ? { cert: readFileSync(o.cert) } : {}),
      ...(o.key ? { key: readFileSync(o.key) } : {}),
    };
    const client = mqtt.connect(o.url, opts);
    this.client = client;
    const hold = v5 && o.holdAcks === true;
    const send = hold ? this.interceptAcks(client) : undefined;
    client.on("message", (topic, payload, packet) => {
      const m: BusMessage = {
        topic,
        payload,
        retained: packet.retain === true,
        correlationData: packet.properties?.correlationData,
      };
      if (send && packet.qos === 1 && packet.messageId !== undefined)
        m.ack = this.holdAck(packet.messageId, send);
      for (const h of this.handlers) h(m);
    });
    // Reconnect retries every few seconds: log an error when it starts or changes, not at every retry,
    // and say when the connection is back.
    let lastError: string | undefined;
    client.on("connect", () => {
      if (lastError !== undefined) o.log?.info({ url: o.url }, "MQTT connected again");
      lastError = undefined;
      this.connHandlers.forEach((h) => h(true));
    });
    client.on("close", () => {
      // The broker redelivers every unacknowledged message on the next connection.
      this.connection++;
      this.held.clear();
      this.connHandlers.forEach((h) => h(false));
    });
    client.on("error", (e: Error & { code?: string | number }) => {
      const text = e.code === undefined ? e.message : `${e.message} (${e.code})`;
      if (text === lastError) return;
      lastError = text;
      o.log?.error({ url: o.url, clientId: o.clientId, err: text }, "MQTT connection failed; retrying");
    });
    return new Promise((resolve) => client.once("connect", () => resolve()));
  }

  subscribe(filter: string, qos: 0 | 1): Promise<void> {
    const client = this.need();
    return new Promise((resolve, reject) =>
      client.subscribe(filter, { qos }, (err, granted) => {
        if (err) return reject(err);
        const bad = granted?.find((g) => g.qos === 128);
        if (bad) return reject(new Error(`broker refused subscription ${filter}`));
        resolve();
      }),
    );
  }

  publish(topic: string, payload: string | Buffer, o: PublishOptions): Promise<void> {
    const client = this.need();
    const properties =
      o.responseTopic || o.correlationData
        ? { responseTopic: o.responseTopic, correlationData: o.correlationData }
        : undefined;
    return new Promise((resolve, reject) =>
      client.publish(topic, payload, { qos: o.qos, retain: o.retain ?? false, properties }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync();
  }

  /**
   * mqtt.js handles incoming packets one at a time and sends the PUBACK before it takes the next, so
   * delaying its callback would stall the stream. Instead the PUBACK packet is parked here, mqtt.js
   * carries on at once, and the parked packet is sent when the consumer calls ack.
   */
  private interceptAcks(client: MqttClient): SendPacket {
    const internals = client as unknown as { _sendPacket?: SendPacket };
    if (typeof internals._sendPacket !== "function")
      throw new Error("this mqtt.js has no _sendPacket: holding PUBACKs needs the pinned mqtt version");
    const send = internals._sendPacket.bind(client);
    internals._sendPacket = (packet, cb, ...rest) => {
      const id = packet.messageId;
      const state = packet.cmd === "puback" && id !== undefined ? this.held.get(id) : undefined;
      if (state === "waiting") {
        this.held.set(id as number, packet);
        cb?.();
        return;
      }
      if (state === "acked") this.held.delete(id as number);
      send(packet, cb, ...rest);
    };
    return send;
  }

  private holdAck(messageId: number, send: SendPacket): () => void {
    const connection = this.connection;
    this.held.set(messageId, "waiting");
    return () => {
      if (connection !== this.connection) return;
      const state = this.held.get(messageId);
      if (state === "waiting") this.held.set(messageId, "acked");
      else if (state && state !== "acked") {
        this.held.delete(messageId);
        send(state);
      }
    };
  }

  private need(): MqttClient {
    if (!this.client) throw new Error("MQTT bus not started");
    return this.client;
  }
}
