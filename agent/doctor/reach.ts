/** What doctor and `devices` use to check things the agent reaches over the network or by name. */
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { englishNote } from "../i18n/english.js";
import type { Note } from "../i18n/note.js";

export interface Reach {
  ok: boolean;
  /** In English (the diagnose reply, `devices --json`); `say` is the same as a note for the reader. */
  detail: string;
  say?: Note;
}

function reach(ok: boolean, say: Note): Reach {
  return { ok, detail: englishNote(say), say };
}

/** Opens a TCP connection the way the printer link does, and closes it again without sending anything. */
export function tcpReach(host: string, port: number, timeoutMs = 3000): Promise<Reach> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (r: Reach) => {
      sock.destroy();
      resolve(r);
    };
    sock.setTimeout(timeoutMs, () =>
      done(reach(false, { key: "reach.noAnswer", params: { s: timeoutMs / 1000 } })),
    );
    sock.once("connect", () => done(reach(true, { key: "reach.answers" })));
    sock.once("error", (e: NodeJS.ErrnoException) =>
      done(
        reach(
          false,
          e.code === "ECONNREFUSED"
            ? { key: "reach.refused" }
            : e.code === "EHOSTUNREACH" || e.code === "ENETUNREACH"
              ? { key: "reach.unreachable" }
              : e.code === "ENOTFOUND"
                ? { key: "reach.unknownName" }
                : { key: "reach.other", params: { error: e.code ?? e.message } },
        ),
      ),
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
