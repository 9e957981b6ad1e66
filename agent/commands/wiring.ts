import { stationTopics, type SeqRange } from "../../contract/index.js";
import { CommandHandler, type HistoryMessage, type HistoryRead, type IncomingCommand } from "./handler.js";
import type { ReplayStore } from "./replay-guard.js";
import { loadNocPublicKey } from "./signature.js";

/** The slice of the MQTT session the command handler needs (agent/mqtt-session.ts fits it). */
export interface CommandSession {
  readonly connected?: boolean;
  onConnect(listener: () => void): void;
  onMessage(listener: (m: IncomingCommand) => void): void;
  subscribe(filter: string): Promise<void>;
}

/**
 * Subscribes to the station's command filter on every connect (the session is clean and does not
 * resubscribe by itself) and hands each command message to the handler.
 */
export function connectCommands(
  session: CommandSession,
  handler: CommandHandler,
  filter: string,
  log: { warn(o: object, msg: string): void },
): void {
  const prefix = filter.slice(0, -1); // ".../cmd/+" -> ".../cmd/"
  const subscribe = () =>
    session
      .subscribe(filter)
      .catch((e: unknown) => log.warn({ err: String(e), filter }, "command subscription failed"));
  session.onConnect(() => void subscribe());
  if (session.connected) void subscribe();
  session.onMessage((m) => {
    if (m.topic.startsWith(prefix)) void handler.handle(m);
  });
}

/**
 * Builds a `readHistory` callback from a store that returns what it still holds for a seq range (the
 * outbox's readForResend). Everything in the range up to the last seq issued that the store no longer
 * holds is reported gone; seqs never issued are not.
 */
export function historyReader(
  read: (from: number, to: number) => HistoryMessage[],
  lastSeq: () => number,
): (from: number, to: number) => HistoryRead {
  return (from, to) => {
    const last = Math.min(to, lastSeq());
    if (last < from) return { messages: [], gone: [] };
    const messages = read(from, last).filter((m) => m.seq >= from && m.seq <= last);
    return {
      messages,
      gone: missingRanges(
        messages.map((m) => m.seq),
        from,
        last,
      ),
    };
  };
}

/** The ranges of [from, to] not in `have` (sorted ascending). */
export function missingRanges(have: number[], from: number, to: number): SeqRange[] {
  const gone: SeqRange[] = [];
  let next = from;
  for (const s of have) {
    if (s > next) gone.push({ fromSeq: next, toSeq: s - 1 });
    next = Math.max(next, s + 1);
  }
  if (next <= to) gone.push({ fromSeq: next, toSeq: to });
  return gone;
}

export interface AgentCommandParts {
  station: string;
  topicRoot: string;
  /** config.commands */
  settings: { nocPublicKey?: string; allowUnsigned?: boolean; maxAgeS: number; ratePerMinute: number };
  session: CommandSession & {
    publish(topic: string, payload: string, o: { qos: 0 | 1; correlationData?: Buffer }): Promise<void>;
  };
  /** The reporter: republish retained state, and resend stored rows (marked historical). */
  reporter: {
    rebirth(): void;
    resend(rows: { seq: number; topic: string; payload: string }[]): Promise<void>;
  };
  /** The outbox with its history table. */
  outbox: {
    readForResend(from: number, to: number): { seq: number; topic: string; payload: string }[];
    readonly lastSeq: number;
  };
  diagnose(): Promise<unknown>;
  clock: { now(): number };
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void };
  replayStore?: ReplayStore;
}

/** Everything agent/app.ts needs: builds the handler over the agent's parts and subscribes it. */
export function createAgentCommands(p: AgentCommandParts): CommandHandler {
  const topics = stationTopics(p.topicRoot, p.station);
  const handler = new CommandHandler({
    station: p.station,
    topicRoot: p.topicRoot,
    clock: p.clock,
    log: p.log,
    ...(p.settings.nocPublicKey ? { nocPublicKey: loadNocPublicKey(p.settings.nocPublicKey) } : {}),
    allowUnsigned: p.settings.allowUnsigned ?? false,
    maxAgeS: p.settings.maxAgeS,
    ratePerMinute: p.settings.ratePerMinute,
    ...(p.replayStore ? { replayStore: p.replayStore } : {}),
    rebirth: async () => p.reporter.rebirth(),
    readHistory: historyReader(
      (from, to) => p.outbox.readForResend(from, to),
      () => p.outbox.lastSeq,
    ),
    republish: (messages) =>
      p.reporter.resend(messages.map((m) => ({ seq: m.seq, topic: m.topic, payload: String(m.payload) }))),
    diagnose: () => p.diagnose(),
    reply: (topic, correlationData, payload) =>
      p.session.publish(topic, JSON.stringify(payload), {
        qos: 1,
        ...(correlationData ? { correlationData } : {}),
      }),
  });
  connectCommands(p.session, handler, topics.commandFilter, p.log);
  return handler;
}
