/** The link's status matching against a real socket: slow replies, late replies after a timeout, noise. */
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EscPosLink, PrinterTimeoutError } from "../../drivers/printer/printer-link.js";
import { encodeStatus } from "../../drivers/printer/status.js";
import { TcpByteStream } from "../../drivers/transport/tcp.js";

let server: Server | undefined;
let streams: TcpByteStream[] = [];

afterEach(async () => {
  for (const s of streams) await s.close();
  streams = [];
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A printer on a socket: each DLE EOT n is answered after `delayMs()` with the bytes for `condition()`. */
async function printer(delayMs: () => number, reply: (n: number) => number[]): Promise<EscPosLink> {
  server = createServer((socket: Socket) => {
    let buf: number[] = [];
    socket.on("data", (chunk) => {
      buf.push(...chunk);
      while (buf.length >= 3) {
        const i = buf.findIndex((b, k) => b === 0x10 && buf[k + 1] === 0x04);
        if (i < 0 || i + 2 >= buf.length) break;
        const n = buf[i + 2]!;
        buf = buf.slice(i + 3);
        const bytes = reply(n);
        setTimeout(() => socket.writable && socket.write(Uint8Array.from(bytes)), delayMs());
      }
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  const addr = server.address();
  const stream = await TcpByteStream.open({
    host: "127.0.0.1",
    port: typeof addr === "object" && addr ? addr.port : 0,
  });
  streams.push(stream);
  return new EscPosLink(stream, { replyTimeoutMs: 200 });
}

describe("EscPosLink", () => {
  it("matches four replies to one request even when they trickle in", async () => {
    const link = await printer(
      () => 30,
      (n) => [encodeStatus({ paper: "near-end" })[n - 1]!],
    );
    const s = await link.status();
    expect(s.paper).toBe("near-end");
    expect(s.raw).toEqual([0x12, 0x12, 0x12, 0x1e]);
  });

  it("skips noise bytes that lack the fixed status bits", async () => {
    const link = await printer(
      () => 5,
      (n) => [0x00, 0xff, encodeStatus({ coverOpen: true })[n - 1]!],
    );
    expect((await link.status()).coverOpen).toBe(true);
    expect(link.strayBytes).toBe(8);
  });

  it("times out, then does not take the late replies for the next answer", async () => {
    let delay = 260;
    let condition = { paper: "out" as const } as { paper?: "out" | "ok" };
    const link = await printer(
      () => delay,
      (n) => [encodeStatus(condition)[n - 1]!],
    );
    await expect(link.status()).rejects.toBeInstanceOf(PrinterTimeoutError);
    delay = 100;
    condition = { paper: "ok" };
    // The late "paper out" replies arrive ~60 ms after the timeout, before the next request's own replies
    // would (100 ms): without the quiet period after a timeout they would be taken as its answer.
    const s = await link.status();
    expect(s.paper).toBe("ok");
    expect(link.strayBytes).toBe(4);
  });
});
