/**
 * A character device such as the USB printer class node /dev/usb/lp0 as a ByteStream. usblp supports
 * reads (the printer's status replies) and writes, but it is not a tty and libuv cannot poll it, so the
 * fd is opened non-blocking and read on a short timer; writes retry on EAGAIN while the printer is busy.
 */
import { constants, promises as fs } from "node:fs";
import { Listeners, type ByteStream } from "./byte-stream.js";
import { setTimeout as sleep } from "node:timers/promises";

export interface DeviceFileOptions {
  path: string;
  /** How often to look for incoming bytes; status replies are tiny, so 10 ms is plenty. */
  pollMs?: number;
}

const isAgain = (e: unknown): boolean => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "EAGAIN" || code === "EWOULDBLOCK";
};

export class DeviceFileByteStream implements ByteStream {
  private readonly data = new Listeners<[Buffer]>();
  private readonly closed = new Listeners<[Error | undefined]>();
  private open = true;
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  private writing: Promise<void> = Promise.resolve();
  private readonly buf = Buffer.alloc(4096);

  private constructor(
    private readonly fh: fs.FileHandle,
    readonly path: string,
    private readonly pollMs: number,
  ) {
    this.timer = setInterval(() => void this.poll(), pollMs);
  }

  static async open(options: DeviceFileOptions): Promise<DeviceFileByteStream> {
    const fh = await fs.open(options.path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
    return new DeviceFileByteStream(fh, options.path, options.pollMs ?? 10);
  }

  get isOpen(): boolean {
    return this.open;
  }

  private async poll(): Promise<void> {
    if (this.reading || !this.open) return;
    this.reading = true;
    try {
      for (;;) {
        const { bytesRead } = await this.fh.read(this.buf, 0, this.buf.length, null);
        if (bytesRead === 0) break;
        this.data.emit(Buffer.from(this.buf.subarray(0, bytesRead)));
      }
    } catch (e) {
      if (!isAgain(e)) this.fail(e as Error);
    } finally {
      this.reading = false;
    }
  }

  write(data: Uint8Array): Promise<void> {
    const job = this.writing.then(() => this.writeAll(data));
    this.writing = job.catch(() => undefined);
    return job;
  }

  private async writeAll(data: Uint8Array): Promise<void> {
    let off = 0;
    let waitMs = 1;
    while (off < data.length) {
      if (!this.open) throw new Error(`${this.path} is closed`);
      try {
        const { bytesWritten } = await this.fh.write(data, off, data.length - off, null);
        off += bytesWritten;
        waitMs = 1;
      } catch (e) {
        if (!isAgain(e)) {
          this.fail(e as Error);
          throw e;
        }
        await sleep(waitMs);
        waitMs = Math.min(50, waitMs * 2);
      }
    }
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.closed.add(listener);
  }

  private fail(error?: Error): void {
    if (!this.open) return;
    this.open = false;
    clearInterval(this.timer);
    void this.fh.close().catch(() => undefined);
    this.closed.emit(error);
    this.data.clear();
    this.closed.clear();
  }

  async close(): Promise<void> {
    if (!this.open) return;
    while (this.reading) await sleep(1);
    this.fail(undefined);
  }
}
