/** What doctor and `devices` use to check things the agent reaches over the network or by name. */
import { existsSync } from "node:fs";
import { connect } from "node:net";

export interface Reach {
  ok: boolean;
  detail: string;
}

/** Opens a TCP connection the way the printer link does, and closes it again without sending anything. */
export function tcpReach(host: string, port: number, timeoutMs = 3000): Promise<Reach> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (r: Reach) => {
      sock.destroy();
      resolve(r);
    };
    sock.setTimeout(timeoutMs, () => done({ ok: false, detail: `no answer within ${timeoutMs / 1000} s` }));
    sock.once("connect", () => done({ ok: true, detail: "answers" }));
    sock.once("error", (e: NodeJS.ErrnoException) =>
      done({
        ok: false,
        detail:
          e.code === "ECONNREFUSED"
            ? "nothing is listening on that port (switched off, or not its address)"
            : e.code === "EHOSTUNREACH" || e.code === "ENETUNREACH"
              ? "that address cannot be reached from this PC"
              : e.code === "ENOTFOUND"
                ? "that name is unknown"
                : (e.code ?? e.message),
      }),
    );
  });
}

/** "HOST:PORT" or "[v6]:PORT" (the printer's `tcp` setting) or a URL, as host and port. */
export function hostPort(address: string): { host: string; port: number } {
  if (/^[a-z]+:\/\//.test(address)) {
    const u = new URL(address);
    return {
      host: u.hostname.replace(/^\[|\]$/g, ""),
      port: Number(u.port || (u.protocol === "https:" ? 443 : 80)),
    };
  }
  const i = address.lastIndexOf(":");
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(address.slice(i + 1)) };
}

export function interfaceExists(name: string, sysClassNet = "/sys/class/net"): boolean {
  return existsSync(`${sysClassNet}/${name}`);
}
