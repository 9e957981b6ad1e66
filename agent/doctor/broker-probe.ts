/**
 * Can this station reach its broker? A TCP (or TLS) connection and one MQTT 3.1.1 CONNECT/CONNACK,
 * written out by hand so `doctor` needs no MQTT client (the daemon's session is the one mqtt user).
 * It tells apart: name not found, refused, no answer, certificate problems, and refused credentials.
 */
import type { MessageKey } from "../i18n/en.js";
import { englishNote } from "../i18n/english.js";
import type { Note } from "../i18n/note.js";
import { redactUrl } from "../redact.js";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";

export interface BrokerProbeOptions {
  url: string;
  username?: string;
  password?: string;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  clientId?: string;
  timeoutMs?: number;
}

export interface BrokerProbeResult {
  ok: boolean;
  /** In English, for the NOC's diagnose reply; `say` holds the same as notes for the reader's language. */
  detail: string;
  fix?: string;
  say?: { detail: Note; fix?: Note };
  tls?: { authorized: boolean; protocol?: string | null; peer?: string };
}

const CONNACK_CODES: Record<number, [MessageKey, MessageKey]> = {
  1: ["broker.connack.1", "broker.connack.1.fix"],
  2: ["broker.connack.2", "broker.connack.2.fix"],
  3: ["broker.connack.3", "broker.connack.3.fix"],
  4: ["broker.connack.4", "broker.connack.4.fix"],
  5: ["broker.connack.5", "broker.connack.5.fix"],
};

/** A result from notes, with its English words beside them. */
function result(ok: boolean, detail: Note, fix?: Note): BrokerProbeResult {
  return {
    ok,
    detail: englishNote(detail),
    ...(fix ? { fix: englishNote(fix) } : {}),
    say: { detail, ...(fix ? { fix } : {}) },
  };
}

export async function probeBroker(o: BrokerProbeOptions): Promise<BrokerProbeResult> {
  const m = /^(mqtts?):\/\/([^/:\s]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(o.url);
  if (!m) return result(false, { key: "broker.badUrl", params: { url: redactUrl(o.url) } });
  const secure = m[1] === "mqtts";
  const host = m[2]!.replace(/^\[|\]$/g, "");
  const port = Number(m[3] ?? (secure ? 8883 : 1883));
  const where = `${host}:${port}`;
  const timeoutMs = o.timeoutMs ?? 5000;

  return new Promise<BrokerProbeResult>((resolve) => {
    let socket: net.Socket;
    let settled = false;
    const done = (r: BrokerProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () =>
        done(
          result(
            false,
            { key: "broker.noAnswer", params: { where, s: timeoutMs / 1000 } },
            { key: "broker.noAnswer.fix" },
          ),
        ),
      timeoutMs,
    );
    try {
      if (secure) {
        const t = o.tls;
        socket = tls.connect({
          host,
          port,
          servername: net.isIP(host) ? undefined : host,
          rejectUnauthorized: t?.rejectUnauthorized ?? true,
          ...(t?.ca ? { ca: readFileSync(t.ca) } : {}),
          ...(t?.cert ? { cert: readFileSync(t.cert) } : {}),
          ...(t?.key ? { key: readFileSync(t.key) } : {}),
        });
        socket.once("secureConnect", () => sendConnect(socket, o));
      } else {
        socket = net.connect({ host, port }, () => sendConnect(socket, o));
      }
    } catch (e) {
      socket = new net.Socket();
      return done(
        result(
          false,
          { key: "broker.tlsSetup", params: { error: (e as Error).message } },
          { key: "broker.tlsSetup.fix" },
        ),
      );
    }
    let buf = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4) return;
      if (buf[0] !== 0x20) return done(result(false, { key: "broker.notMqtt", params: { where } }));
      const rc = buf[3]!;
      const tlsInfo =
        socket instanceof tls.TLSSocket
          ? {
              authorized: socket.authorized,
              protocol: socket.getProtocol(),
              peer: String(socket.getPeerCertificate()?.subject?.CN ?? ""),
            }
          : undefined;
      if (rc === 0) {
        const how: Note = tlsInfo
          ? {
              key: tlsInfo.authorized ? "broker.how.verified" : "broker.how.unverified",
              params: { protocol: tlsInfo.protocol ?? "" },
            }
          : { key: "broker.how.plain" };
        socket.write(Buffer.from([0xe0, 0x00])); // DISCONNECT
        return done({
          ...result(true, { key: "broker.accepted", params: { where, how } }),
          ...(tlsInfo ? { tls: tlsInfo } : {}),
        });
      }
      const [why, fix]: [Note, Note] = CONNACK_CODES[rc]
        ? [{ key: CONNACK_CODES[rc][0] }, { key: CONNACK_CODES[rc][1] }]
        : [{ key: "broker.connack.other", params: { rc } }, { key: "broker.connack.other.fix" }];
      done(result(false, { key: "broker.refused", params: { where, why } }, fix));
    });
    socket.on("error", (e: NodeJS.ErrnoException) => done(explainSocketError(e, where, host)));
    socket.on("close", () =>
      done(result(false, { key: "broker.closed", params: { where } }, { key: "broker.closed.fix" })),
    );
  });
}

function sendConnect(socket: net.Socket, o: BrokerProbeOptions): void {
  const str = (s: string) => {
    const b = Buffer.from(s, "utf8");
    return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  };
  const clientId = o.clientId ?? `doctor-${randomBytes(4).toString("hex")}`;
  let flags = 0x02; // clean session
  const payload = [str(clientId)];
  if (o.username !== undefined) {
    flags |= 0x80;
    payload.push(str(o.username));
    if (o.password !== undefined) {
      flags |= 0x40;
      payload.push(str(o.password));
    }
  }
  const variable = Buffer.concat([str("MQTT"), Buffer.from([0x04, flags, 0x00, 0x0a])]);
  const body = Buffer.concat([variable, ...payload]);
  const len: number[] = [];
  let n = body.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    len.push(byte);
  } while (n > 0);
  socket.write(Buffer.concat([Buffer.from([0x10, ...len]), body]));
}

function explainSocketError(e: NodeJS.ErrnoException, where: string, host: string): BrokerProbeResult {
  const code = e.code ?? "";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return result(false, { key: "broker.dns", params: { host, code } }, { key: "broker.dns.fix" });
  if (code === "ECONNREFUSED")
    return result(false, { key: "broker.nobody", params: { where } }, { key: "broker.nobody.fix" });
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH")
    return result(false, { key: "broker.noRoute", params: { where, code } }, { key: "broker.noRoute.fix" });
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/.test(code))
    return result(
      false,
      { key: "broker.cert", params: { code, error: e.message } },
      { key: "broker.cert.fix" },
    );
  return result(
    false,
    { key: "broker.other", params: { where, error: e.message } },
    { key: "broker.other.fix" },
  );
}
