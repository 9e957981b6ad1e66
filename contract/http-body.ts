/**
 * Reads an HTTP request body up to a limit. Both programs' HTTP faces (the agent's local API, the NOC's
 * dashboard API) need exactly this, and contract/ is the one layer both may import. Not a library:
 * raw-body 4 needs Node 22, and raw-body 3 brings iconv-lite's code tables into the agent's bundle.
 */
import type { IncomingMessage } from "node:http";

/**
 * The body, or undefined when it is (or declares itself) larger than `limit` bytes. Past the limit it
 * stops collecting but does not destroy the request, so the caller's 413 reaches the client instead
 * of a reset; a limit of 0 reads nothing (GET routes).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) return Promise.resolve(undefined);
  if (limit === 0 && req.headers["transfer-encoding"] === undefined) {
    req.resume();
    return Promise.resolve(Buffer.alloc(0));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limit) {
        req.off("data", onData);
        chunks.length = 0;
        resolve(undefined);
      } else chunks.push(c);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
