// @needs fping iputils-ping openssl
/**
 * The probes on loopback with real sockets and real servers: TCP, HTTP(S), DNS in-process; fping and ping as
 * long-running processes; and the faults (missing binary, missing interface) that must not stop the others.
 */
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LinkConfig } from "../../config/links.js";
import { LinkState as LinkStateSchema, LinkSummary, type LinkState } from "../../contract/index.js";
import { IcmpStream } from "../../agent/links/icmp-stream.js";
import { LinkMonitor } from "../../agent/links/monitor.js";
import { dnsProbe, httpProbe, tcpProbe } from "../../agent/links/socket-probes.js";
import { findExecutable } from "../../agent/links/system.js";
import type { ProbeOutcome } from "../../agent/links/types.js";
import { labSkipReason } from "./links-lab.js";
import { makeTestCa } from "../support/tls.js";

const clock = { now: () => Date.now(), synced: () => true };
const portOf = (s: { address(): AddressInfo | string | null }) => (s.address() as AddressInfo).port;
const listen = <T extends Server | ReturnType<typeof createTcpServer>>(s: T) =>
  new Promise<T>((r) => s.listen(0, "127.0.0.1", () => r(s)));

/** A tiny authoritative DNS server: sdc.lab.test A 198.18.0.10, NXDOMAIN for anything else. */
function dnsServer(): Promise<Socket> {
  const sock = createSocket("udp4");
  sock.on("message", (msg, peer) => {
    let off = 12;
    const labels: string[] = [];
    while (off < msg.length && msg[off] !== 0) {
      const len = msg[off]!;
      labels.push(msg.subarray(off + 1, off + 1 + len).toString());
      off += len + 1;
    }
    off += 5;
    const known = labels.join(".") === "sdc.lab.test";
    const header = Buffer.alloc(12);
    header.writeUInt16BE(msg.readUInt16BE(0), 0);
    header.writeUInt16BE(0x8180 | (known ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(known ? 1 : 0, 6);
    const answer = known
      ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 18, 0, 10])
      : Buffer.alloc(0);
    sock.send(Buffer.concat([header, msg.subarray(12, off), answer]), peer.port, peer.address);
  });
  return new Promise((r) => sock.bind(0, "127.0.0.1", () => r(sock)));
}

describe("socket probes on loopback", () => {
  let tcp: ReturnType<typeof createTcpServer>;
  let http: Server;
  let https: Server;
  let dns: Socket;
  let silentDns: Socket;
  let closedPort: number;
  const dir = mkdtempSync(join(tmpdir(), "links-probes-"));

  beforeAll(async () => {
    tcp = await listen(createTcpServer((s) => s.end()));
    http = await listen(
      createHttpServer((req, res) => res.writeHead(req.url === "/health" ? 200 : 503).end()),
    );
    const cert = makeTestCa(join(dir, "ca"), { sans: ["DNS:sdc.lab.test"] });
    https = await listen(
      createHttpsServer({ key: readFileSync(cert.key), cert: readFileSync(cert.cert) }, (_q, res) =>
        res.writeHead(200).end(),
      ),
    );
    dns = await dnsServer();
    silentDns = createSocket("udp4");
    await new Promise<void>((r) => silentDns.bind(0, "127.0.0.1", () => r()));
    const tmp = await listen(createTcpServer());
    closedPort = portOf(tmp);
    await new Promise((r) => tmp.close(r));
  });
  afterAll(async () => {
    await Promise.all([tcp, http, https].map((s) => new Promise((r) => s.close(r))));
    dns.close();
    silentDns.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("TCP: connects from the given source address, and names a refusal", async () => {
    const ok = await tcpProbe({
      address: "127.0.0.1",
      port: portOf(tcp),
      localAddress: "127.0.0.1",
      timeoutMs: 1000,
    });
    expect(ok.ok).toBe(true);
    expect(ok.rttMs).toBeGreaterThan(0);
    expect(await tcpProbe({ address: "127.0.0.1", port: closedPort, timeoutMs: 1000 })).toEqual({
      ok: false,
      error: "connection refused",
    });
    expect(
      await tcpProbe({
        address: "127.0.0.1",
        port: portOf(tcp),
        localAddress: "198.18.77.77",
        timeoutMs: 1000,
      }),
    ).toMatchObject({
      ok: false,
      error: "source address not available",
    });
  });

  it("HTTP: checks the status, and goes to the target's address whatever the URL's host", async () => {
    const base = { address: "127.0.0.1", timeoutMs: 2000, insecure: false, expectStatus: 200 };
    const ok = await httpProbe({ ...base, url: `http://sdc.lab.test:${portOf(http)}/health` });
    expect(ok).toMatchObject({ ok: true });
    expect(await httpProbe({ ...base, url: `http://sdc.lab.test:${portOf(http)}/other` })).toMatchObject({
      ok: false,
      error: "status 503 (expected 200)",
    });
    expect(await httpProbe({ ...base, url: `http://sdc.lab.test:${closedPort}/` })).toMatchObject({
      ok: false,
      error: "connection refused",
    });
  });

  it("HTTPS: verifies the certificate unless told the data centre's CA is not installed", async () => {
    const base = {
      address: "127.0.0.1",
      timeoutMs: 2000,
      expectStatus: 200,
      url: `https://sdc.lab.test:${portOf(https)}/`,
    };
    expect(await httpProbe({ ...base, insecure: true })).toMatchObject({ ok: true });
    const strict = await httpProbe({ ...base, insecure: false });
    expect(strict.ok).toBe(false);
    expect(strict.error).toMatch(/UNABLE_TO_VERIFY|unable to verify/i); // signed by a CA it does not trust
  });

  it("DNS: resolves through the given server, names NXDOMAIN and a server that does not answer", async () => {
    const server = `127.0.0.1:${portOf(dns)}`;
    expect(
      await dnsProbe({ server, name: "sdc.lab.test", localAddress: "127.0.0.1", timeoutMs: 1000 }),
    ).toMatchObject({ ok: true });
    expect(await dnsProbe({ server, name: "nope.lab.test", timeoutMs: 1000 })).toEqual({
      ok: false,
      error: "name not found",
    });
    const silent = await dnsProbe({
      server: `127.0.0.1:${portOf(silentDns)}`,
      name: "sdc.lab.test",
      timeoutMs: 300,
    });
    expect(silent).toEqual({ ok: false, error: "timed out" });
  });

  it("probes run side by side without blocking the event loop", async () => {
    const server = `127.0.0.1:${portOf(silentDns)}`;
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    await Promise.all(
      Array.from({ length: 20 }, () => dnsProbe({ server, name: "sdc.lab.test", timeoutMs: 300 })),
    );
    clearInterval(ticker);
    // While 20 probes waited out their timeouts together, timers kept firing: nothing blocked the loop.
    expect(ticks).toBeGreaterThan(1);
  });
});

const noLab = labSkipReason();

describe.skipIf(noLab !== undefined)("ICMP processes and faults (root, loopback only)", () => {
  const collect = (tool: "fping" | "ping", binary: string | undefined, iface: string) => {
    const outcomes: ProbeOutcome[] = [];
    const faults: (string | undefined)[] = [];
    const stream = new IcmpStream({
      tool,
      binary,
      address: "127.0.0.1",
      iface,
      periodMs: 100,
      timeoutMs: 80,
      clock,
      onOutcome: (o) => outcomes.push(o),
      onFault: (m) => faults.push(m),
    });
    return { stream, outcomes, faults };
  };
  const until = async (cond: () => boolean, ms = 10_000) => {
    for (const end = Date.now() + ms; !cond() && Date.now() < end;)
      await new Promise((r) => setTimeout(r, 20));
    return cond();
  };

  it.each(["fping", "ping"] as const)(
    "%s: one long-running process yields one outcome per echo request",
    async (tool) => {
      const { stream, outcomes, faults } = collect(tool, await findExecutable(tool), "lo");
      stream.start();
      const pid = stream.pid;
      expect(await until(() => outcomes.length >= 5)).toBe(true);
      expect(stream.pid).toBe(pid);
      await stream.stop();
      expect(faults).toEqual([]);
      expect(outcomes.every((o) => o.ok && o.rttMs! >= 0 && o.rttMs! < 80)).toBe(true);
    },
  );

  it("a missing binary or interface faults the stream with a clear message", async () => {
    const missing = collect("fping", undefined, "lo");
    missing.stream.start();
    expect(missing.faults[0]).toMatch(/fping is not installed .*install the Debian package fping/);
    await missing.stream.stop();

    const badIf = collect("fping", await findExecutable("fping"), "nosuch9");
    badIf.stream.start();
    expect(await until(() => badIf.faults.length > 0)).toBe(true);
    expect(badIf.faults[0]).toMatch(/No such device/);
    await badIf.stream.stop();
    expect(badIf.outcomes).toEqual([]);
  });

  it("the monitor reports each faulted link clearly and keeps probing the good one", async () => {
    const states = new Map<string, LinkState>();
    const events: string[] = [];
    const target = [{ role: "datacentre", host: "127.0.0.1" }];
    const link = (name: string, iface: string, extra = {}) =>
      LinkConfig.parse({
        name,
        interface: iface,
        role: "primary",
        intervalMs: 300,
        timeoutMs: 150,
        windowMs: 3000,
        thresholds: { degraded: { enter: { rttMs: 100 }, leave: { rttMs: 50 } } },
        targets: target,
        ...extra,
      });
    const monitor = new LinkMonitor({
      station: "LAB-0001",
      links: [link("good", "lo"), link("typo", "nosuch9"), link("noping", "lo", { icmpTool: "ping" })],
      clock,
      events: {
        event: (type, data) => {
          const d = data as { link?: string; reason?: string };
          events.push(`${type} ${String(d.link)} ${String(d.reason)}`);
        },
      },
      retained: { link: (n, s) => states.set(n, s), device: () => undefined, power: () => undefined },
      icmpBinaries: { ping: "/nonexistent/ping" },
    });
    await monitor.start();
    try {
      expect(
        await until(
          () =>
            states.get("good")?.state === "up" &&
            states.get("noping")?.state === "unknown" &&
            states.get("typo")?.state === "down",
        ),
      ).toBe(true);
      expect(states.get("typo")!.reason).toMatch(/^interface nosuch9 does not exist; .*No such device/);
      expect(events).toContain("link.down typo interface nosuch9 does not exist");
      expect(
        await until(() => /ping: \/nonexistent\/ping not found/.test(states.get("noping")?.reason ?? "")),
      ).toBe(true);
      expect(states.get("noping")!.reason).toMatch(
        /^no probe can run \(datacentre 127\.0\.0\.1 icmp: ping: \/nonexistent\/ping not found\)$/,
      );
      const summary = monitor.summaries();
      expect(summary.good).toMatchObject({ state: "up", lossPct: 0 });
      // What goes over MQTT follows the contract.
      for (const s of [...states.values(), ...monitor.states()]) expect(LinkStateSchema.parse(s)).toEqual(s);
      for (const s of Object.values(monitor.summaries())) expect(LinkSummary.parse(s)).toEqual(s);
      expect(monitor.details().typo!.faults[0]).toMatch(/No such device/);
    } finally {
      await monitor.stop();
    }
  });
});
