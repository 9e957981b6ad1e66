import type { PublishOptions } from "../contract/publish.js";

/** What the NOC needs from MQTT; noc/broker-connection.ts implements it (the only noc/ file importing mqtt). */
export interface BusMessage {
  topic: string;
  payload: Buffer;
  /** Set when the broker delivered a stored retained message (on subscribe), not a live publish. */
  retained: boolean;
  correlationData?: Buffer;
  /**
   * Present when the connection holds acknowledgements (QoS 1, holdAcks): sends the PUBACK. Until it
   * is called the broker keeps the message and delivers it again after a reconnect or a crash.
   */
  ack?: () => void;
}

export type { PublishOptions };

export interface NocBus {
  onMessage(handler: (m: BusMessage) => void): void;
  onConnectionChange(handler: (connected: boolean) => void): void;
  subscribe(filter: string, qos: 0 | 1): Promise<void>;
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void>;
  readonly connected: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}
