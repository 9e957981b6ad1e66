// The only file of the agent that imports mqtt.
import { readFileSync } from "node:fs";
import mqtt, { type IClientOptions, type IClientPublishOptions, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import { setTimeout as sleep } from "node:timers/promises";
import type { PublishOptions } from "../contract/publish.js";

export interface SessionOptions {
  url: string;
  protocolVersion: 4 | 5;
  keepalive: number;
  clientId: string;
  username?: string;
  password?: string;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  will?: { topic: string; payload: string };
  reconnect: { minMs: number; maxMs: number };
  log: Logger;
  random?: () => number;
}

export interface IncomingMessage {
  topic: string;
  payload: Buffer;
  responseTopic?: string;
  correlationData?: Buffer;
}

export type { PublishOptions } from "../contract/publish.js";

/**
 * One MQTT connection with our own reconnect policy: capped exponential back-off with full jitter, so a
 * thousand stations coming back after a state-wide SWAN outage do not hammer the broker in lockstep.
 */
export class MqttSession {
  private client?: MqttClient;
  private attempt = 0;
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private connectedFlag = false;
  private readonly connectListeners: (() => void)[] = [];
  private readonly closeListeners: ((reason: string) => void)[] = [];
  private readonly messageListeners: ((m: IncomingMessage) => void)[] = [];
  private lastError = "";

  constructor(private readonly opts: SessionOptions) {}

  get connected(): boolean {
    return this.connectedFlag;
  }

  get lastErrorMessage(): string {
    return this.lastError;
  }

  onConnect(l: () => void): void {
    this.connectListeners.push(l);
  }
  onClose(l: (reason: string) => void): void {
    this.closeListeners.push(l);
  }
  onMessage(l: (m: IncomingMessage) => void): void {
    this.messageListeners.push(l);
  }

  start(): void {
    const o = this.opts;
    const options: IClientOptions = {
      protocolVersion: o.protocolVersion,
      keepalive: o.keepalive,
      clientId: o.clientId,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 15_000,
      resubscribe: false,
      queueQoSZero: false,
      // mqtt-packet's number cache holds 65,536 two-byte Buffers (~7 MB of heap) to save an allocation per
      // packet; a station publishes a few packets a minute, so the memory is worth more than the speed.
      writeCache: false,
      ...(o.will
        ? {
            will: {
              topic: o.will.topic,
              payload: Buffer.from(o.will.payload),
              qos: 1 as const,
              retain: true,
            },
          }
        : {}),
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
    };
    if (o.tls) {
      if (o.tls.ca) options.ca = readFileSync(o.tls.ca);
      if (o.tls.cert) options.cert = readFileSync(o.tls.cert);
      if (o.tls.key) options.key = readFileSync(o.tls.key);
      options.rejectUnauthorized = o.tls.rejectUnauthorized;
    }
    const client = mqtt.connect(o.url, options);
    this.client = client;
    client.on("connect", () => {
      this.attempt = 0;
      this.connectedFlag = true;
      for (const l of this.connectListeners) l();
    });
    client.on("close", () => {
      const was = this.connectedFlag;
      this.connectedFlag = false;
      if (was) for (const l of this.closeListeners) l(this.lastError || "connection closed");
      this.scheduleReconnect();
    });
    client.on("error", (err) => {
      this.lastError = err.message;
      o.log.warn({ err: err.message }, "mqtt error");
    });
    client.on("message", (topic, payload, packet) => {
      const props = packet.properties;
      const m: IncomingMessage = { topic, payload };
      if (props?.responseTopic) m.responseTopic = props.responseTopic;
      if (props?.correlationData) m.correlationData = props.correlationData;
      for (const l of this.messageListeners) l(m);
    });
  }

  private scheduleReconnect(): void {
    if (this.stopping || this.timer) return;
    const { minMs, maxMs } = this.opts.reconnect;
    const cap = Math.min(maxMs, minMs * 2 ** Math.min(this.attempt, 20));
    const delay = Math.round(minMs / 2 + (this.opts.random ?? Math.random)() * (cap - minMs / 2));
    this.attempt++;
    this.opts.log.info(
      { delayMs: delay, attempt: this.attempt, lastError: this.lastError },
      "mqtt reconnect scheduled",
    );
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopping) this.client?.reconnect();
    }, delay);
  }

  /** Resolves on PUBACK for QoS 1 (on write for QoS 0); rejects when the connection drops first. */
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.client || !this.connectedFlag) return reject(new Error("not connected"));
      const p: IClientPublishOptions = { qos: options.qos, retain: options.retain ?? false };
      if (this.opts.protocolVersion === 5 && (options.responseTopic || options.correlationData)) {
        p.properties = {
          ...(options.responseTopic ? { responseTopic: options.responseTopic } : {}),
          ...(options.correlationData ? { correlationData: options.correlationData } : {}),
        };
      }
      this.client.publish(topic, payload, p, (err) => (err ? reject(err) : resolve()));
    });
  }

  subscribe(filter: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.client) return reject(new Error("not started"));
      this.client.subscribe(filter, { qos: 1 }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Publish the clean-shutdown state, then disconnect without triggering the Last Will. */
  async stop(finalState?: { topic: string; payload: string }): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    if (!client) return;
    if (finalState && this.connectedFlag) {
      await Promise.race([
        this.publish(finalState.topic, finalState.payload, { qos: 1, retain: true }).catch(() => undefined),
        sleep(2000),
      ]);
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        client.end(true);
        resolve();
      }, 2000);
      client.end(false, {}, () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
