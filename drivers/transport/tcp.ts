/** A raw TCP connection (network printers listen on 9100) as a ByteStream. */
import { connect, type Socket } from "node:net";
import { Listeners, type ByteStream } from "./byte-stream.js";

export interface TcpOptions {
  host: string;
  port: number;
  connectTimeoutMs?: number;
}

/** "host:port" or "[v6]:port" -> parts; throws a clear error on anything else. */
export function parseHostPort(text: string, defaultPort = 9100): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text.trim());
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`expected HOST:PORT, got "${text}"`);
  return { host, port };
}

export class TcpByteStream implements ByteStream {
  private readonly data = new Listeners<[Buffer]>();
  private readonly closed = new Listeners<[Error | undefined]>();
  private lastError: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => this.data.emit(chunk));
    socket.on("error", (e) => (this.lastError = e));
    socket.on("close", () => {
      this.closed.emit(this.lastError);
      this.data.clear();
      this.closed.clear();
    });
  }

  static open(options: TcpOptions): Promise<TcpByteStream> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: options.host, port: options.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${options.host}:${options.port} timed out`));
      }, options.connectTimeoutMs ?? 5000);
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        socket.setKeepAlive(true, 10_000);
        resolve(new TcpByteStream(socket));
      });
    });
  }

  get isOpen(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  write(data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.isOpen) return reject(new Error("TCP connection is closed"));
      // The callback fires once the bytes are handed to the kernel, which is what "drained" means here.
      this.socket.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.closed.add(listener);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once("close", () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }
}
