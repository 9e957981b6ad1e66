import { randomUUID, sign, type KeyObject } from "node:crypto";
import { canonicalCommand, CommandReply, stationTopics, type CommandName } from "../contract/index.js";
import type { NocBus } from "./bus.js";

export interface StationCommandOptions {
  root: string;
  /** One topic level naming this NOC process; replies come back on `<root>/<station>/reply/<instance>`. */
  instance: string;
  /** The NOC's Ed25519 private key; commands are signed when it is set. */
  privateKey?: KeyObject;
  timeoutMs: number;
  now: () => number;
  /** On MQTT 3.1.1 stations reply on `<root>/<station>/reply/<command>`, matched by the echoed id. */
  protocol?: 4 | 5;
}

export class CommandTimeout extends Error {}

interface Pending {
  station: string;
  resolve(r: CommandReply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Sends allow-listed commands and matches replies by MQTT 5 correlation data (the request id), or by
 * the echoed id when the reply came without it (MQTT 3.1.1 stations). The response topic sits inside the
 * station's own tree, the only place the broker ACL lets a station publish.
 */
export class StationCommands {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly bus: NocBus,
    private readonly options: StationCommandOptions,
  ) {}

  /** The filter this NOC must subscribe to (without $share: every instance hears its own replies). */
  get replyFilter(): string {
    return `${this.options.root}/+/reply/${this.options.protocol === 4 ? "+" : this.options.instance}`;
  }

  /** Builds the request body (signed when a key is set); exposed for tests and the CLI. */
  request(
    station: string,
    name: string,
    args?: Record<string, unknown>,
    id = randomUUID(),
    issuedAt = new Date(this.options.now()).toISOString(),
  ) {
    const body: { id: string; issuedAt: string; args?: Record<string, unknown>; sig?: string } = {
      id,
      issuedAt,
    };
    if (args) body.args = args;
    if (this.options.privateKey) {
      body.sig = sign(
        null,
        Buffer.from(canonicalCommand(station, name, body)),
        this.options.privateKey,
      ).toString("base64");
    }
    return body;
  }

  /** Resolves with the station's reply (ok or error); rejects on timeout or when it cannot be sent. */
  async send(
    station: string,
    name: CommandName | (string & Record<never, never>), // any string, with the known names suggested
    args?: Record<string, unknown>,
  ): Promise<CommandReply> {
    const body = this.request(station, name, args);
    return this.sendRaw(station, name, Buffer.from(JSON.stringify(body)), body.id);
  }

  /** Publishes a prepared payload under a correlation id (tests use this for replays and bad bodies). */
  sendRaw(station: string, name: string, payload: Buffer, correlationId: string): Promise<CommandReply> {
    const topics = stationTopics(this.options.root, station);
    return new Promise<CommandReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new CommandTimeout(`no reply from ${station} to ${name} within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      this.pending.set(correlationId, { station, resolve, reject, timer });
      this.bus
        .publish(topics.command(name), payload, {
          qos: 1,
          responseTopic: topics.reply(this.options.instance),
          correlationData: Buffer.from(correlationId),
        })
        .catch((e: unknown) => {
          clearTimeout(timer);
          this.pending.delete(correlationId);
          reject(e instanceof Error ? e : new Error(String(e)));
        });
    });
  }

  /**
   * Feeds a message from a reply topic; unknown or late replies are ignored. True when it matched.
   * `station` is the one named by the reply topic: only the station asked may answer, so another
   * station that learns (or guesses) a request id cannot settle it with a forged reply.
   */
  onReply(station: string, payload: Buffer, correlationData?: Buffer): boolean {
    let reply: CommandReply;
    try {
      reply = CommandReply.parse(JSON.parse(payload.toString("utf8")));
    } catch {
      return false;
    }
    const key = correlationData?.length ? correlationData.toString() : reply.id;
    const p = this.pending.get(key);
    if (!p || p.station !== station) return false;
    clearTimeout(p.timer);
    this.pending.delete(key);
    p.resolve(reply);
    return true;
  }

  inFlight(): number {
    return this.pending.size;
  }

  stop(): void {
    for (const [key, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error("NOC stopping"));
      this.pending.delete(key);
    }
  }
}
