import type { KeyObject } from "node:crypto";
import {
  COMMAND_NAMES,
  COMMAND_SCHEMAS,
  parseTopic,
  stationTopics,
  type CommandName,
  type CommandReply,
  type ResendResult,
  type SeqRange,
  type StationTopics,
  TOPIC_LEVEL,
} from "../../contract/index.js";
import type { Clock } from "../ports.js";
import { TokenBucket } from "./rate-limit.js";
import { MemoryReplayStore, ReplayGuard, type ReplayStore } from "./replay-guard.js";
import { verifyCommandSignature } from "./signature.js";

/** One command message as the MQTT session received it. */
export interface IncomingCommand {
  topic: string;
  payload: Buffer;
  /** MQTT 5 response topic; absent on 3.1.1. */
  responseTopic?: string;
  /** MQTT 5 correlation data, echoed on the reply. */
  correlationData?: Buffer;
}

/** A durable message from the agent's history window, exactly as first published. */
export interface HistoryMessage {
  seq: number;
  topic: string;
  payload: string | Buffer;
}

export interface HistoryRead {
  messages: HistoryMessage[];
  /** Seqs in the requested range the agent no longer has (expired or trimmed from history). */
  gone: SeqRange[];
}

export interface CommandHandlerDeps {
  station: string;
  topicRoot: string;
  clock: Pick<Clock, "now">;
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void };
  /** When set, every command must carry a valid Ed25519 signature from this key. */
  nocPublicKey?: KeyObject;
  /**
   * Without a key, commands run only when this is set (the embedded broker, or an explicit
   * `commands.allowUnsigned`); otherwise each is answered "commands are disabled" and nothing runs.
   */
  allowUnsigned?: boolean;
  maxAgeS: number;
  ratePerMinute: number;
  /** The most messages one resend republishes; the reply's nextFromSeq says where to continue. */
  maxResend?: number;
  replayStore?: ReplayStore;
  rebirth(): Promise<void>;
  readHistory(fromSeq: number, toSeq: number): HistoryRead | Promise<HistoryRead>;
  republish(messages: HistoryMessage[]): Promise<void>;
  diagnose(): Promise<unknown>;
  reply(
    responseTopic: string,
    correlationData: Buffer | undefined,
    payload: CommandReply,
  ): Promise<void> | void;
}

class Refused extends Error {}

/** Refusals answered per minute; past it refusals are only counted, so garbage cannot flood replies. */
const REFUSALS_PER_MINUTE = 60;

/**
 * Validates and runs the NOC's allow-listed commands. Checks run in order: enabled, topic, JSON,
 * allow-list, schema, signature, rate limit, age and replay. The rate limit is charged only once the
 * signature holds, so garbage cannot spend the NOC's commands; refusals have their own bucket for their
 * replies. Any failure changes nothing; the id / correlation data are remembered only once a command
 * passed every check. Commands run one at a time so that two resends never interleave.
 */
export class CommandHandler {
  private readonly topics: StationTopics;
  private readonly bucket: TokenBucket;
  private readonly refusals = new TokenBucket(REFUSALS_PER_MINUTE);
  /** Refusals not answered because their bucket was empty. */
  unansweredRefusals = 0;
  private readonly guard: ReplayGuard;
  private readonly maxResend: number;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: CommandHandlerDeps) {
    this.topics = stationTopics(deps.topicRoot, deps.station);
    this.bucket = new TokenBucket(deps.ratePerMinute);
    this.guard = new ReplayGuard(deps.replayStore ?? new MemoryReplayStore(), deps.maxAgeS * 1000);
    this.maxResend = deps.maxResend ?? 5000;
  }

  /** Never rejects: every outcome is a reply (when one can be addressed) and a log line. */
  handle(msg: IncomingCommand): Promise<void> {
    const run = this.chain.then(() => this.process(msg));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async process(msg: IncomingCommand): Promise<void> {
    const parsed = parseTopic(this.deps.topicRoot, msg.topic);
    const name = parsed?.kind === "cmd" ? parsed.name : lastLevel(msg.topic);
    let id = "";
    const respond = async (reply: Omit<CommandReply, "id" | "time">): Promise<void> => {
      const topic = this.replyTopic(msg.responseTopic, name);
      const payload: CommandReply = { id, time: new Date(this.deps.clock.now()).toISOString(), ...reply };
      try {
        await this.deps.reply(topic, msg.correlationData, payload);
      } catch (e) {
        this.deps.log.warn({ err: String(e), command: name, id }, "command reply failed");
      }
    };
    try {
      if (!this.deps.nocPublicKey && !this.deps.allowUnsigned) {
        throw new Refused("commands are disabled: this station has no commands.nocPublicKey");
      }
      if (parsed?.kind !== "cmd" || parsed.station !== this.deps.station) {
        throw new Refused(`not a command topic for station ${this.deps.station}: ${msg.topic}`);
      }
      let body: unknown;
      try {
        body = JSON.parse(msg.payload.toString("utf8"));
      } catch {
        throw new Refused("payload is not JSON");
      }
      if (typeof body === "object" && body !== null && typeof (body as { id?: unknown }).id === "string") {
        id = (body as { id: string }).id.slice(0, 128);
      }
      if (!isCommandName(name))
        throw new Refused(`unknown command "${name}"; allowed: ${COMMAND_NAMES.join(", ")}`);
      const result = COMMAND_SCHEMAS[name].safeParse(body);
      if (!result.success) {
        const issues = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
        throw new Refused(`malformed ${name} command: ${issues.join("; ")}`);
      }
      const request = result.data;
      if (this.deps.nocPublicKey) {
        const raw = body as { args?: unknown };
        const signed = { id: request.id, issuedAt: request.issuedAt, args: raw.args, sig: request.sig };
        if (!request.sig) throw new Refused("signature required");
        if (!verifyCommandSignature(this.deps.nocPublicKey, this.deps.station, name, signed)) {
          throw new Refused("bad signature");
        }
      }
      if (!this.bucket.take(this.deps.clock.now())) throw new Refused("rate limited: too many commands");
      const verdict = this.guard.admit(
        request.id,
        request.issuedAt,
        msg.correlationData,
        this.deps.clock.now(),
      );
      if (!verdict.ok) throw new Refused(verdict.reason);
      const value = await this.execute(name, request.args);
      this.deps.log.info({ command: name, id }, "command done");
      await respond({ ok: true, result: value });
    } catch (e) {
      const error =
        e instanceof Refused ? e.message : `${name} failed: ${e instanceof Error ? e.message : String(e)}`;
      if (e instanceof Refused && !this.refusals.take(this.deps.clock.now())) {
        this.unansweredRefusals++;
        return;
      }
      this.deps.log.warn({ command: name, id, error }, "command refused or failed");
      await respond({ ok: false, error });
    }
  }

  private async execute(name: CommandName, args: Record<string, number>): Promise<unknown> {
    switch (name) {
      case "rebirth":
        await this.deps.rebirth();
        return {};
      case "diagnose":
        return await this.deps.diagnose();
      case "resend":
        return await this.resend(args.fromSeq as number, args.toSeq as number);
    }
  }

  private async resend(fromSeq: number, toSeq: number): Promise<ResendResult> {
    const last = Math.min(toSeq, fromSeq + this.maxResend - 1);
    const read = await this.deps.readHistory(fromSeq, last);
    const messages = read.messages
      .filter((m) => m.seq >= fromSeq && m.seq <= last)
      .sort((a, b) => a.seq - b.seq);
    if (messages.length > 0) await this.deps.republish(messages);
    const result: ResendResult = { republished: messages.length, gone: read.gone };
    if (last < toSeq) result.nextFromSeq = last + 1;
    return result;
  }

  /** Replies stay inside this station's own topic tree, which is all the broker ACL lets it publish to. */
  private replyTopic(responseTopic: string | undefined, name: string): string {
    if (responseTopic) {
      const p = parseTopic(this.deps.topicRoot, responseTopic);
      if (p?.kind === "reply" && p.station === this.deps.station) return responseTopic;
    }
    return this.topics.reply(TOPIC_LEVEL.test(name) ? name : "invalid");
  }
}

function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

function lastLevel(topic: string): string {
  return topic.slice(topic.lastIndexOf("/") + 1);
}
