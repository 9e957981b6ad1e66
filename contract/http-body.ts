/**
 * Reads an HTTP request body up to a limit. Both programs' HTTP faces (the agent's local API, the NOC's
 * dashboard API) need exactly this, and contract/ is the one layer both may import. Not a library:
 * raw-body 4 needs Node 22, and raw-body 3 brings iconv-lite's code tables into the agent's bundle.
 */
import type { IncomingMessage } from "node:http";

/**
 * The body, or undefined as soon as it grows past `limit` bytes. The rest is read and dropped rather
 * than the socket destroyed, so the caller's 413 reaches the client instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      over = true;
      chunks.length = 0;
      resolve(undefined);
    });
    req.on("end", () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
