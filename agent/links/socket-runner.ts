import type { ProbeConfig } from "../../config/links.js";
import { dnsProbe, httpProbe, tcpProbe, type ProbeAttempt } from "./socket-probes.js";
import { interfaceIPv4, routeGet } from "./system.js";

/**
 * Runs one link's in-process probes from the interface's own address, after checking (once per refresh)
 * that the kernel would send a socket bound to that address out through this link.
 */
export class SocketProbeRunner {
  private routes = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly iface: string,
    private readonly timeoutMs: number,
  ) {}

  /** Forget the route checks (routes or addresses changed). */
  clearRoutes(): void {
    this.routes.clear();
  }

  /** Either a fault (the probe cannot be made to leave through this link) or the probe's result. */
  async run(address: string, probe: ProbeConfig): Promise<{ fault: string } | { attempt: ProbeAttempt }> {
    const src = interfaceIPv4(this.iface);
    if (!src) return { attempt: { ok: false, error: `no IPv4 address on ${this.iface}` } };
    const misroute = await this.sourceRouteProblem(address, src);
    if (misroute !== undefined) return { fault: misroute };
    return { attempt: await this.attempt(probe, address, src) };
  }

  private attempt(p: ProbeConfig, address: string, src: string): Promise<ProbeAttempt> {
    const timeoutMs = this.timeoutMs;
    switch (p.type) {
      case "tcp":
        return tcpProbe({ address, port: p.port, localAddress: src, timeoutMs });
      case "http":
        return httpProbe({
          url: p.url,
          address,
          localAddress: src,
          timeoutMs,
          expectStatus: p.expectStatus,
          insecure: p.insecure,
        });
      case "dns":
        return dnsProbe({ server: p.server ?? address, name: p.name, localAddress: src, timeoutMs });
      case "icmp":
        return Promise.resolve({ ok: false, error: "icmp is not a socket probe" });
    }
  }

  /** A socket bound to `src` must leave through this link; without a source rule it would not. */
  private sourceRouteProblem(address: string, src: string): Promise<string | undefined> {
    const key = `${address}|${src}`;
    let p = this.routes.get(key);
    if (!p) {
      p = routeGet(address, src).then(
        (r) =>
          r?.dev && r.dev !== this.iface
            ? `from ${src} the kernel routes ${address} through ${r.dev}, not ${this.iface}: add a source rule (ip rule add from ${src} table <n>)`
            : undefined,
        () => undefined,
      );
      this.routes.set(key, p);
    }
    return p;
  }
}
