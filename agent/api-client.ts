/** The CLI's side of the local API: plain HTTP over the agent's unix socket (fetch cannot use one). */
import { request } from "node:http";

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export function callLocalApi(
  socketPath: string,
  o: {
    method?: "GET" | "POST" | "DELETE";
    path: string;
    token?: string;
    body?: unknown;
    timeoutMs?: number;
    /** Hand back the body as bytes (a sealed record), not parsed. */
    raw?: boolean;
  },
): Promise<ApiAnswer> {
  const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path: o.path,
        method: o.method ?? "GET",
        headers: {
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}),
        },
        timeout: o.timeoutMs ?? 2000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          if (o.raw) return resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Not JSON: hand back the text.
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${socketPath}`)));
    req.on("error", reject);
    req.end(payload);
  });
}
