/**
 * The link to one ESC/POS printer: writes jobs and asks for the real-time status. Replies carry no tag,
 * so only one status request is in flight at a time and its reply is the next four valid bytes.
 * The reply to a status request sent behind a long job only comes once the printer has received the
 * job, so the timeout grows with the bytes still on their way at the line's speed.
 */
import type { ByteStream } from "../transport/byte-stream.js";
import { concat, statusRequest } from "./escpos.js";
import { decodeStatus, isValidStatusByte, type PrinterStatus } from "./status.js";
import { setTimeout as sleep } from "node:timers/promises";

export class PrinterTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PrinterTimeoutError";
  }
}

export interface LinkOptions {
  /** Time for the printer to answer once it has everything we sent. */
  replyTimeoutMs?: number;
  /** Bytes per second the line carries (serial: baud / 10); sizes the timeout behind a long job. */
  bytesPerSecond?: number;
  now?: () => number;
}

const STATUS_QUERY = concat([statusRequest(1), statusRequest(2), statusRequest(3), statusRequest(4)]);

export class EscPosLink {
  private pending: { bytes: number[]; resolve: (b: number[]) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** When the bytes written so far will have reached the printer, at the line's speed. */
  private wireBusyUntil = 0;
  private readonly replyTimeoutMs: number;
  private readonly bytesPerSecond: number;
  private readonly now: () => number;
  private readonly unsubscribe: () => void;
  /** After a timeout, late replies may still come; the next request waits this long so they fall on no one. */
  private quietUntil = 0;
  /** Bytes that arrived with no request waiting or that failed the fixed-bit check. */
  strayBytes = 0;

  constructor(
    readonly stream: ByteStream,
    opts: LinkOptions = {},
  ) {
    this.replyTimeoutMs = opts.replyTimeoutMs ?? 1500;
    this.bytesPerSecond = opts.bytesPerSecond ?? 4000;
    this.now = opts.now ?? Date.now;
    this.unsubscribe = stream.onData((chunk) => this.receive(chunk));
  }

  private receive(chunk: Buffer): void {
    for (const b of chunk) {
      if (!this.pending || !isValidStatusByte(b)) {
        this.strayBytes++;
        continue;
      }
      this.pending.bytes.push(b);
      if (this.pending.bytes.length === 4) this.pending.resolve(this.pending.bytes);
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private account(bytes: number): void {
    const start = Math.max(this.now(), this.wireBusyUntil);
    this.wireBusyUntil = start + (bytes * 1000) / this.bytesPerSecond;
  }

  /** Milliseconds until what was written so far has reached the printer, by the line rate. */
  backlogMs(): number {
    return Math.max(0, this.wireBusyUntil - this.now());
  }

  write(data: Uint8Array): Promise<void> {
    return this.exclusive(async () => {
      this.account(data.length);
      await this.stream.write(data);
    });
  }

  /** DLE EOT 1..4 in one write; resolves with the decoded status or rejects with PrinterTimeoutError. */
  status(): Promise<PrinterStatus> {
    return this.exclusive(async () => {
      const quiet = this.quietUntil - this.now();
      if (quiet > 0) await sleep(quiet);
      this.account(STATUS_QUERY.length);
      const timeoutMs = this.replyTimeoutMs + this.backlogMs() * 1.5;
      const replies = new Promise<number[]>((resolve) => (this.pending = { bytes: [], resolve }));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          this.quietUntil = this.now() + this.replyTimeoutMs;
          reject(
            new PrinterTimeoutError(`printer did not answer DLE EOT within ${Math.round(timeoutMs)} ms`),
          );
        }, timeoutMs);
      });
      try {
        await this.stream.write(STATUS_QUERY);
        const r = await Promise.race([replies, timeout]);
        return decodeStatus([r[0]!, r[1]!, r[2]!, r[3]!]);
      } finally {
        clearTimeout(timer);
        this.pending = undefined;
      }
    });
  }

  close(): void {
    this.unsubscribe();
  }
}
