import { Resolver } from "node:dns/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect, isIPv4 } from "node:net";
import type { LookupFunction } from "node:net";
import { performance } from "node:perf_hooks";

/**
 * In-process probes: one attempt each, bound to the link's source address so that (with the station's
 * source rules) it leaves through that link. They never throw and never outlive their timeout.
 */

export interface ProbeAttempt {
  ok: boolean;
  rttMs?: number;
  error?: string;
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 1000) / 1000;

function errorWords(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "EHOSTUNREACH":
      return "host unreachable";
    case "ENETUNREACH":
      return "network unreachable";
    case "ECONNRESET":
      return "connection reset";
    case "EADDRNOTAVAIL":
      return "source address not available";
    case "ETIMEOUT":
    case "ETIMEDOUT":
    case "ABORT_ERR":
      return "timed out";
    case "ENOTFOUND":
      return "name not found";
    case "ESERVFAIL":
      return "server failure";
    case "EREFUSED":
      return "query refused";
    case "ECONNREFUSED_DNS":
      return "dns server refused";
    default:
      return err?.code ? `${err.code}${err.message ? `: ${err.message}` : ""}` : String(err?.message ?? e);
  }
}

export function tcpProbe(o: {
  address: string;
  port: number;
  localAddress?: string;
  timeoutMs: number;
}): Promise<ProbeAttempt> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket = connect({ host: o.address, port: o.port, localAddress: o.localAddress });
    const done = (r: ProbeAttempt) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on("error", () => undefined);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, error: "timed out" }), o.timeoutMs);
    socket.once("connect", () => done({ ok: true, rttMs: ms(t0) }));
    socket.once("error", (e) => done({ ok: false, error: errorWords(e) }));
  });
}

/** GET `url`, connecting to `address` (the target's host); the URL gives the path, Host header and TLS name. */
export function httpProbe(o: {
  url: string;
  address: string;
  localAddress?: string;
  timeoutMs: number;
  expectStatus: number;
  insecure: boolean;
}): Promise<ProbeAttempt> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const url = new URL(o.url);
    const family = isIPv4(o.address) ? 4 : 6;
    const lookup: LookupFunction = (_host, opts, cb) => {
      if ((opts as { all?: boolean }).all)
        (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [
          { address: o.address, family },
        ]);
      else cb(null, o.address, family);
    };
    const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
      method: "GET",
      lookup,
      localAddress: o.localAddress,
      agent: false,
      rejectUnauthorized: !o.insecure,
      headers: { "user-agent": "station-agent link probe", connection: "close" },
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    let settled = false;
    const done = (r: ProbeAttempt) => {
      if (settled) return;
      settled = true;
      req.destroy();
      resolve(r);
    };
    req.on("response", (res) => {
      const rtt = ms(t0);
      res.resume();
      const status = res.statusCode ?? 0;
      done(
        status === o.expectStatus
          ? { ok: true, rttMs: rtt }
          : { ok: false, rttMs: rtt, error: `status ${status} (expected ${o.expectStatus})` },
      );
    });
    req.on("error", (e) => done({ ok: false, error: errorWords(e) }));
    req.end();
  });
}

/** Ask `server` for the A record of `name`, from the link's source address. */
export async function dnsProbe(o: {
  server: string;
  name: string;
  localAddress?: string;
  timeoutMs: number;
}): Promise<ProbeAttempt> {
  const resolver = new Resolver({ timeout: o.timeoutMs, tries: 1 });
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    resolver.setServers([o.server]);
    if (o.localAddress) resolver.setLocalAddress(o.localAddress);
    const answer = resolver.resolve4(o.name);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error("timed out"), { code: "ETIMEOUT" })),
        o.timeoutMs + 50,
      );
    });
    const addrs = await Promise.race([answer, timeout]);
    if (addrs.length === 0) return { ok: false, rttMs: ms(t0), error: "no A record" };
    return { ok: true, rttMs: ms(t0) };
  } catch (e) {
    return { ok: false, error: errorWords(e) };
  } finally {
    clearTimeout(timer);
    resolver.cancel();
  }
}
