/**
 * Hands bytes to the printer no faster than a UART at `baud` (10 bits per byte, 8N1) would deliver them.
 * A pty moves bytes instantly, so without this a benchmark would measure nothing about the line. While
 * more than `highWater` bytes wait, the source is paused so back-pressure reaches the sender's kernel
 * buffer, as a real printer's flow control would.
 */
const TICK_MS = 5;

export interface PacedSource {
  pause(): void;
  resume(): void;
}

export class UartPacer {
  private queue: Uint8Array[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastTick = 0;
  private credit = 0;
  private paused = false;
  private stopped = false;

  constructor(
    private readonly baud: number | undefined,
    private readonly source: PacedSource,
    private readonly deliver: (chunk: Uint8Array) => void,
    private readonly highWater = 1024,
  ) {}

  push(chunk: Uint8Array): void {
    if (this.stopped) return;
    if (!this.baud) {
      this.deliver(chunk);
      return;
    }
    if (this.queued === 0 && !this.timer) {
      this.lastTick = performance.now();
      this.credit = 0;
    }
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (this.queued > this.highWater && !this.paused) {
      this.paused = true;
      this.source.pause();
    }
    this.tick();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const now = performance.now();
    this.credit += ((now - this.lastTick) * this.baud!) / 10_000;
    this.lastTick = now;
    let n = Math.floor(this.credit);
    while (n > 0 && this.queue.length > 0) {
      const head = this.queue[0]!;
      const take = Math.min(n, head.length);
      this.deliver(head.subarray(0, take));
      if (take === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(take);
      n -= take;
      this.credit -= take;
      this.queued -= take;
    }
    if (this.queued <= this.highWater / 2 && this.paused) {
      this.paused = false;
      this.source.resume();
    }
    if (this.queued > 0) {
      // 5 ms slices: fine enough that a reply is late by well under a byte time at 9600 baud x 5.
      this.timer = setTimeout(() => this.tick(), TICK_MS);
    } else {
      this.credit = 0;
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
