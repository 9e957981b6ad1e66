import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  CommandHandler,
  SqliteReplayStore,
  type CommandHandlerDeps,
  type HistoryMessage,
} from "../../agent/commands/index.js";
import { tempDir } from "../support/agent-process.js";
import { canonicalCommand, CommandReply, ResendResult } from "../../contract/index.js";

const ROOT = "cctns/test";
const STATION = "PS-001";

interface Harness {
  handler: CommandHandler;
  replies: { topic: string; cd: Buffer | undefined; payload: CommandReply }[];
  calls: string[];
  republished: HistoryMessage[];
  clock: { t: number };
}

function harness(over: Partial<CommandHandlerDeps> = {}): Harness {
  const clock = { t: Date.parse("2025-03-01T10:00:00Z") };
  const h: Harness = { replies: [], calls: [], republished: [], clock } as unknown as Harness;
  h.handler = new CommandHandler({
    station: STATION,
    topicRoot: ROOT,
    clock: { now: () => clock.t },
    log: { info: () => undefined, warn: () => undefined },
    maxAgeS: 300,
    ratePerMinute: 30,
    allowUnsigned: true,
    rebirth: async () => void h.calls.push("rebirth"),
    diagnose: async () => {
      h.calls.push("diagnose");
      return { checks: [{ name: "disk", ok: true }] };
    },
    readHistory: (from, to) => {
      h.calls.push(`read ${from}-${to}`);
      const messages: HistoryMessage[] = [];
      for (let s = Math.max(from, 10); s <= to; s++)
        messages.push({ seq: s, topic: `${ROOT}/${STATION}/event`, payload: `{"seq":${s}}` });
      return { messages, gone: from < 10 ? [{ fromSeq: from, toSeq: Math.min(9, to) }] : [] };
    },
    republish: async (m) => void h.republished.push(...m),
    reply: (topic, cd, payload) => void h.replies.push({ topic, cd, payload: CommandReply.parse(payload) }),
    ...over,
  });
  return h;
}

let n = 0;
function request(args?: unknown, at = "2025-03-01T09:59:00Z", id = `cmd-${++n}-abcdef`) {
  return { id, issuedAt: at, ...(args === undefined ? {} : { args }) };
}

function msg(
  name: string,
  body: unknown,
  cd = Buffer.from(`cd-${++n}`),
  responseTopic = `${ROOT}/${STATION}/reply/noc1`,
) {
  return {
    topic: `${ROOT}/${STATION}/cmd/${name}`,
    payload: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
    responseTopic,
    correlationData: cd,
  };
}

function signed(
  key: KeyObject,
  name: string,
  body: { id: string; issuedAt: string; args?: unknown },
  station = STATION,
) {
  return {
    ...body,
    sig: sign(null, Buffer.from(canonicalCommand(station, name, body)), key).toString("base64"),
  };
}

describe("agent command handler", () => {
  it("runs rebirth and diagnose and replies on the response topic with the correlation data", async () => {
    const h = harness();
    const m = msg("rebirth", request());
    await h.handler.handle(m);
    await h.handler.handle(msg("diagnose", request({})));
    expect(h.calls).toEqual(["rebirth", "diagnose"]);
    expect(h.replies[0]).toMatchObject({
      topic: `${ROOT}/${STATION}/reply/noc1`,
      cd: m.correlationData,
      payload: { ok: true },
    });
    expect(h.replies[1]?.payload.result).toEqual({ checks: [{ name: "disk", ok: true }] });
  });

  it("resend republishes what history has and reports what is gone", async () => {
    const h = harness();
    await h.handler.handle(msg("resend", request({ fromSeq: 5, toSeq: 12 })));
    expect(h.republished.map((m) => m.seq)).toEqual([10, 11, 12]);
    const result = ResendResult.parse(h.replies[0]?.payload.result);
    expect(result).toEqual({ republished: 3, gone: [{ fromSeq: 5, toSeq: 9 }] });
  });

  it("caps a large resend and says where to continue", async () => {
    const h = harness({ maxResend: 100 });
    await h.handler.handle(msg("resend", request({ fromSeq: 10, toSeq: 1000 })));
    expect(h.calls).toEqual(["read 10-109"]);
    expect(ResendResult.parse(h.replies[0]?.payload.result)).toEqual({
      republished: 100,
      gone: [],
      nextFromSeq: 110,
    });
  });

  it("refuses unknown and malformed commands with an error reply and changes nothing", async () => {
    const h = harness();
    await h.handler.handle(msg("reboot", request()));
    await h.handler.handle(msg("resend", request({ fromSeq: 9, toSeq: 3 })));
    await h.handler.handle(msg("resend", request({ fromSeq: 1, toSeq: 2, extra: 1 })));
    await h.handler.handle(msg("rebirth", "{not json"));
    await h.handler.handle(msg("rebirth", { id: "short", issuedAt: "yesterday" }));
    // Commands are strict at every level: a misspelt field is refused, not ignored (docs/mqtt.md).
    await h.handler.handle(msg("resend", { ...request({ fromSeq: 1, toSeq: 2 }), dryRun: true }));
    expect(h.calls).toEqual([]);
    expect(h.republished).toEqual([]);
    const errors = h.replies.map((r) => (r.payload.ok ? "ok" : r.payload.error));
    expect(errors[0]).toMatch(/unknown command "reboot"/);
    expect(errors[1]).toMatch(/toSeq must be >= fromSeq/);
    expect(errors[2]).toMatch(/malformed resend/);
    expect(errors[3]).toBe("payload is not JSON");
    expect(errors[4]).toMatch(/malformed rebirth command: id: .*; issuedAt: /);
    expect(errors[5]).toMatch(/malformed resend command: .*dryRun/);
    // The unknown command's reply still goes to the requested response topic.
    expect(h.replies[0]?.topic).toBe(`${ROOT}/${STATION}/reply/noc1`);
  });

  it("refuses a replay by id and by correlation data, and a stale command", async () => {
    const h = harness();
    const body = request();
    await h.handler.handle(msg("rebirth", body));
    await h.handler.handle(msg("rebirth", body)); // same id, new correlation data
    const cd = Buffer.from("same-correlation");
    await h.handler.handle(msg("rebirth", request(), cd));
    await h.handler.handle(msg("rebirth", request(), cd)); // new id, same correlation data
    await h.handler.handle(msg("rebirth", request(undefined, "2025-03-01T09:50:00Z")));
    expect(h.calls).toEqual(["rebirth", "rebirth"]);
    expect(h.replies.map((r) => r.payload.error ?? "ok")).toEqual([
      "ok",
      "replayed command refused",
      "ok",
      "replayed command refused",
      expect.stringMatching(/too old/),
    ]);
  });

  it("still refuses a replay after the agent restarts, from the guard's keys in SQLite", async () => {
    const file = join(tempDir(), "ledger.db");
    const body = request();
    const cd = Buffer.from("kept-correlation");
    const before = new Database(file);
    const first = harness({ replayStore: new SqliteReplayStore(before) });
    await first.handler.handle(msg("rebirth", body, cd));
    before.close(); // the agent stops (or is killed) here

    const after = new Database(file);
    const restarted = harness({ replayStore: new SqliteReplayStore(after) });
    await restarted.handler.handle(msg("rebirth", body)); // same id
    await restarted.handler.handle(msg("rebirth", request(), cd)); // same correlation data
    await restarted.handler.handle(msg("rebirth", request()));
    expect(first.calls).toEqual(["rebirth"]);
    expect(restarted.calls).toEqual(["rebirth"]);
    expect(restarted.replies.map((r) => r.payload.error ?? "ok")).toEqual([
      "replayed command refused",
      "replayed command refused",
      "ok",
    ]);
    // Keys are forgotten once a command could no longer pass the age check anyway.
    restarted.clock.t += 3_600_000;
    new SqliteReplayStore(after).prune(restarted.clock.t);
    expect(after.prepare("SELECT count(*) AS n FROM command_replay").get()).toEqual({ n: 0 });
    after.close();
  });

  it("keeps the stored replay keys bounded", () => {
    const db = new Database(":memory:");
    const store = new SqliteReplayStore(db, 3);
    for (let i = 0; i < 5; i++) store.add(`id:${i}`, 1000 + i);
    expect(["id:0", "id:1", "id:2", "id:3", "id:4"].map((k) => store.has(k))).toEqual([
      false,
      false,
      true,
      true,
      true,
    ]);
    db.close();
  });

  it("does not let a refused command poison the replay guard", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const h = harness({ nocPublicKey: publicKey });
    const body = request();
    await h.handler.handle(msg("rebirth", { ...body, sig: Buffer.alloc(64).toString("base64") }));
    await h.handler.handle(msg("rebirth", signed(privateKey, "rebirth", body)));
    expect(h.replies.map((r) => r.payload.error ?? "ok")).toEqual(["bad signature", "ok"]);
  });

  it("verifies Ed25519 signatures bound to station, name and args", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const other = generateKeyPairSync("ed25519").privateKey;
    const h = harness({ nocPublicKey: publicKey });
    await h.handler.handle(msg("rebirth", request()));
    await h.handler.handle(msg("rebirth", signed(other, "rebirth", request())));
    await h.handler.handle(msg("rebirth", signed(privateKey, "rebirth", request(), "PS-002")));
    await h.handler.handle(msg("rebirth", signed(privateKey, "diagnose", request())));
    const good = signed(privateKey, "resend", request({ fromSeq: 10, toSeq: 11 }));
    await h.handler.handle(msg("resend", { ...good, args: { fromSeq: 10, toSeq: 12 } }));
    await h.handler.handle(msg("resend", good));
    expect(h.replies.map((r) => r.payload.error ?? "ok")).toEqual([
      "signature required",
      "bad signature",
      "bad signature",
      "bad signature",
      "bad signature",
      "ok",
    ]);
    expect(h.republished.map((m) => m.seq)).toEqual([10, 11]);
  });

  it("rate-limits commands", async () => {
    const h = harness({ ratePerMinute: 6 });
    for (let i = 0; i < 8; i++) await h.handler.handle(msg("rebirth", request()));
    expect(h.calls.length).toBe(6);
    expect(h.replies.at(-1)?.payload.error).toMatch(/rate limited/);
    h.clock.t += 10_000; // one token back
    await h.handler.handle(msg("rebirth", request(undefined, "2025-03-01T10:00:05Z")));
    expect(h.calls.length).toBe(7);
  });

  it("without a NOC key runs no command: each gets 'commands are disabled' and nothing changes", async () => {
    const h = harness({ allowUnsigned: false });
    await h.handler.handle(msg("rebirth", request()));
    await h.handler.handle(msg("resend", request({ fromSeq: 10, toSeq: 11 })));
    await h.handler.handle(msg("diagnose", request()));
    expect(h.calls).toEqual([]);
    expect(h.republished).toEqual([]);
    expect(h.replies.map((r) => r.payload.error)).toEqual([
      expect.stringMatching(/^commands are disabled/),
      expect.stringMatching(/^commands are disabled/),
      expect.stringMatching(/^commands are disabled/),
    ]);
  });

  it("garbage and forged commands do not spend the rate limit of signed ones", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const forger = generateKeyPairSync("ed25519").privateKey;
    const h = harness({ nocPublicKey: publicKey, ratePerMinute: 6, allowUnsigned: false });
    for (let i = 0; i < 200; i++) {
      await h.handler.handle(msg("rebirth", i % 2 ? "{not json" : signed(forger, "rebirth", request())));
    }
    expect(h.calls).toEqual([]);
    // Refusals are answered up to their own bucket, then only counted.
    expect(h.replies.length).toBeLessThan(200);
    expect(h.handler.unansweredRefusals).toBe(200 - h.replies.length);
    const before = h.replies.length;
    for (let i = 0; i < 6; i++)
      await h.handler.handle(msg("rebirth", signed(privateKey, "rebirth", request())));
    expect(h.calls).toEqual(Array(6).fill("rebirth"));
    expect(h.replies.slice(before).map((r) => r.payload.ok)).toEqual(Array(6).fill(true));
  });

  it("keeps replies inside the station's tree and falls back to the reply topic on MQTT 3.1.1", async () => {
    const h = harness();
    await h.handler.handle(msg("rebirth", request(), undefined, "somewhere/else"));
    await h.handler.handle({
      topic: `${ROOT}/${STATION}/cmd/diagnose`,
      payload: Buffer.from(JSON.stringify(request())),
    });
    await h.handler.handle(msg("rebirth", request(), undefined, `${ROOT}/PS-999/reply/x`));
    expect(h.replies.map((r) => r.topic)).toEqual([
      `${ROOT}/${STATION}/reply/rebirth`,
      `${ROOT}/${STATION}/reply/diagnose`,
      `${ROOT}/${STATION}/reply/rebirth`,
    ]);
  });

  it("reports a failing callback as an error reply and keeps working", async () => {
    const h = harness({
      rebirth: async () => {
        throw new Error("session closed");
      },
    });
    await h.handler.handle(msg("rebirth", request()));
    await h.handler.handle(msg("diagnose", request()));
    expect(h.replies.map((r) => r.payload.error ?? "ok")).toEqual(["rebirth failed: session closed", "ok"]);
  });
});
