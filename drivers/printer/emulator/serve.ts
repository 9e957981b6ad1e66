/** Connects a VirtualPrinter to the outside: a serial pty paced like a UART, a TCP port, or a file of bytes. */
import { readFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { SerialByteStream } from "../../transport/serial.js";
import { UartPacer } from "./uart-pacer.js";
import type { VirtualPrinter } from "./virtual-printer.js";

export interface Served {
  close(): Promise<void>;
}

/** Opens the emulator's end of a pty (or a real serial port) with the real serialport binding. */
export async function serveSerial(printer: VirtualPrinter, path: string, baud: number): Promise<Served> {
  const port = await SerialByteStream.open({ path, baudRate: baud });
  const pacer = new UartPacer(baud, port, (chunk) => {
    const reply = printer.receive(chunk);
    if (reply.length) port.write(reply).catch(() => undefined);
  });
  port.onData((chunk) => pacer.push(chunk));
  return {
    close: async () => {
      pacer.stop();
      await port.close();
    },
  };
}

/** A network printer on `port` (0 = any free port). With `baud`, each connection is paced like a serial line. */
export async function serveTcp(
  printer: VirtualPrinter,
  opts: { port: number; host?: string; baud?: number },
): Promise<Served & { port: number }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const pacer = new UartPacer(opts.baud, socket, (chunk) => {
      const reply = printer.receive(chunk);
      if (reply.length && socket.writable) socket.write(reply);
    });
    socket.on("data", (chunk) => pacer.push(chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      pacer.stop();
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  return {
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Prints a captured byte stream (e.g. `cat job.bin > file`, or what a driver wrote to a file). */
export async function printFile(printer: VirtualPrinter, path: string): Promise<void> {
  printer.receive(await readFile(path));
}
