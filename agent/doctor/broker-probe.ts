/**
 * Can this station reach its broker? A TCP (or TLS) connection and one MQTT 3.1.1 CONNECT/CONNACK,
 * written out by hand so `doctor` needs no MQTT client (the daemon's session is the one mqtt user).
 * It tells apart: name not found, refused, no answer, certificate problems, and refused credentials.
 */
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
  detail: string;
  fix?: string;
  tls?: { authorized: boolean; protocol?: string | null; peer?: string };
}

const CONNACK_CODES: Record<number, [string, string]> = {
  1: ["the broker does not accept MQTT 3.1.1", "ask the NOC which MQTT version the broker speaks"],
  2: ["the broker rejected the client id", "set mqtt.clientId to the station id"],
  3: ["the broker is running but not accepting connections", "ask the NOC to check the broker"],
  4: ["the broker refused the username or password", "check mqtt.username and mqtt.passwordFile"],
  5: [
    "the broker says this station is not authorised",
    "ask the NOC to allow this station's user or certificate",
  ],
};

export async function probeBroker(o: BrokerProbeOptions): Promise<BrokerProbeResult> {
  const m = /^(mqtts?):\/\/([^/:\s]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(o.url);
  if (!m)
    return {
      ok: false,
      detail: `mqtt.url "${redactUrl(o.url)}" is not mqtt://host[:port] or mqtts://host[:port]`,
    };
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
        done({
          ok: false,
          detail: `no answer from ${where} within ${timeoutMs / 1000} s`,
          fix: "check the network link (station-agent status) and the firewall",
        }),
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
      return done({
        ok: false,
        detail: `cannot set up TLS: ${(e as Error).message}`,
        fix: "check the files named in mqtt.tls",
      });
    }
    let buf = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4) return;
      if (buf[0] !== 0x20) return done({ ok: false, detail: `${where} answered, but not as an MQTT broker` });
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
        const how = tlsInfo
          ? `TLS ${tlsInfo.protocol ?? ""}${tlsInfo.authorized ? ", certificate verified" : ", certificate NOT verified"}`
          : "no TLS";
        socket.write(Buffer.from([0xe0, 0x00])); // DISCONNECT
        return done({
          ok: true,
          detail: `broker at ${where} accepted the connection (${how})`,
          ...(tlsInfo ? { tls: tlsInfo } : {}),
        });
      }
      const [detail, fix] = CONNACK_CODES[rc] ?? [
        `the broker refused the connection (code ${rc})`,
        "ask the NOC",
      ];
      done({ ok: false, detail: `${where}: ${detail}`, fix });
    });
    socket.on("error", (e: NodeJS.ErrnoException) => done(explainSocketError(e, where, host)));
    socket.on("close", () =>
      done({
        ok: false,
        detail: `${where} closed the connection before answering`,
        fix: "check mqtt.url and whether the port expects TLS (mqtts://)",
      }),
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
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return {
      ok: false,
      detail: `the name ${host} cannot be looked up (${code})`,
      fix: "check DNS on this PC, or use the broker's IP address in mqtt.url",
    };
  }
  if (code === "ECONNREFUSED")
    return {
      ok: false,
      detail: `nothing is listening at ${where}`,
      fix: "check mqtt.url; ask the NOC whether the broker is up",
    };
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH")
    return { ok: false, detail: `no route to ${where} (${code})`, fix: "check the network link and cables" };
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/.test(code)) {
    return {
      ok: false,
      detail: `the broker's certificate was not accepted (${code}: ${e.message})`,
      fix: "set mqtt.tls.ca to the NOC's CA file; check that this PC's date is right",
    };
  }
  return {
    ok: false,
    detail: `cannot connect to ${where}: ${e.message}`,
    fix: "check mqtt.url and the network",
  };
}
