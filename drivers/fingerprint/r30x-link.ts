/**
 * The R30x link: a byte stream plus request/response matching, one request at a time, and timeouts.
 * It turns every way a reply can go wrong into a typed error, and after any error it waits for the
 * line to go quiet before the next request, so a half-received image cannot poison the next command.
 */
import type { ByteStream } from "../transport/byte-stream.js";
import { DEFAULT_ADDRESS, PACKET_OVERHEAD, Pid, encodeCommand, type Packet } from "./r30x-codec.js";
import { R30xPacketParser, type ParserEvent } from "./r30x-parser.js";
import {
  BadChecksumError,
  DeviceAbsentError,
  FingerprintError,
  GarbledReplyError,
  ProtocolError,
  ResponseTimeoutError,
  TruncatedPacketError,
} from "./errors.js";
import { setTimeout as sleep } from "node:timers/promises";

export interface Ack {
  /** Confirmation code: 0 = OK. */
  code: number;
  /** Return values after the confirmation code. */
  data: Buffer;
}

export interface DataReply {
  ack: Ack;
  data: Buffer;
  packets: number;
  /** performance.now() when the request was written and when the end packet arrived. */
  sentAt: number;
  endAt: number;
}

/** Counters for diagnosis (doctor output, tests): how noisy the line has been. */
export interface LinkStats {
  requests: number;
  garbageBytes: number;
  badChecksums: number;
  /** Bytes that arrived while no request was waiting (R503 power-on byte, leftovers after an error). */
  unsolicitedBytes: number;
}

/** Transports that can tell whether their device is still plugged in (SerialByteStream can). */
export interface PresenceAware {
  isPresent(): Promise<boolean>;
}

export interface R30xLinkOptions {
  address?: number;
  /** Current line rate: sizes the quiet period and the data-phase budget. */
  baud: number;
  /** How long the module may take to acknowledge a command. Libraries use 1-2 s; GenImg alone may take 1 s. */
  responseTimeoutMs?: number;
}

interface RequestOptions {
  /** Name used in error messages, e.g. "GenImg". */
  what: string;
  timeoutMs?: number;
}

interface DataRequestOptions extends RequestOptions {
  /** Expected payload size: bounds how long a stream of packets may take. */
  expectedBytes?: number;
}

const LATE_TIMER_MS = 50;
const GRACE_MS = 100;
const MAX_GRACES = 3;

type Waiter = {
  handle(event: ParserEvent): void;
  /** Bytes arrived (any bytes): data-phase idle timers restart. */
  activity(): void;
  fail(error: FingerprintError): void;
};

export class R30xLink {
  private readonly parser: R30xPacketParser;
  private readonly address: number;
  private readonly responseTimeoutMs: number;
  private baud: number;
  private waiter: Waiter | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private closedError: DeviceAbsentError | null = null;
  /**
   * Set after an error or unsolicited bytes: drain the line before the next request. A new link starts
   * dirty: a previous program may have left a reply or half an image in flight.
   */
  private dirty = true;
  private lastByteAt = performance.now();
  private readonly unsubscribe: Array<() => void> = [];
  readonly stats: LinkStats = { requests: 0, garbageBytes: 0, badChecksums: 0, unsolicitedBytes: 0 };

  constructor(
    private readonly stream: ByteStream,
    options: R30xLinkOptions,
  ) {
    this.address = options.address ?? DEFAULT_ADDRESS;
    this.baud = options.baud;
    this.responseTimeoutMs = options.responseTimeoutMs ?? 2000;
    this.parser = new R30xPacketParser({ address: this.address });
    this.unsubscribe.push(
      stream.onData((chunk) => this.onData(chunk)),
      stream.onClose((error) => this.onClose(error)),
    );
    if (!stream.isOpen) this.closedError = new DeviceAbsentError("serial port is not open");
  }

  get isOpen(): boolean {
    return this.closedError === null;
  }

  get lineBaud(): number {
    return this.baud;
  }

  /** After the host port changed speed (SetSysPara baud), keep the timing maths right. */
  setBaud(baud: number): void {
    this.baud = baud;
  }

  /** Sends a command and resolves with its acknowledgement (whatever its confirmation code). */
  request(content: Buffer, options: RequestOptions): Promise<Ack> {
    return this.exclusive(
      async () => (await this.checked(options.what, this.exchange(content, options, false))).ack,
    );
  }

  /** Sends a command whose OK ack is followed by data packets (UpImage, UpChar); collects them all. */
  requestWithData(content: Buffer, options: DataRequestOptions): Promise<DataReply> {
    return this.exclusive(() => this.checked(options.what, this.exchange(content, options, true)));
  }

  /**
   * When the line goes quiet, ask the transport whether the device is still there: an unplugged tty
   * does not always report itself, and "absent" is a better answer than "timeout".
   */
  private async checked<T>(what: string, exchange: Promise<T>): Promise<T> {
    try {
      return await exchange;
    } catch (error) {
      const quiet =
        error instanceof ResponseTimeoutError ||
        error instanceof TruncatedPacketError ||
        error instanceof GarbledReplyError;
      const stream = this.stream as ByteStream & Partial<PresenceAware>;
      if (!quiet || !stream.isPresent || this.closedError) throw error;
      if (await stream.isPresent().catch(() => true)) throw error;
      const absent = new DeviceAbsentError(`serial device disappeared during ${what} (unplugged?)`, {
        cause: error,
      });
      this.onClose(absent);
      await stream.close().catch(() => undefined);
      throw absent;
    }
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    this.onClose(undefined);
    await this.stream.close();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async exchange(
    content: Buffer,
    options: DataRequestOptions,
    wantsData: boolean,
  ): Promise<DataReply> {
    if (this.closedError) throw this.closedError;
    if (this.dirty) await this.drainLine();
    this.parser.reset();
    this.stats.requests++;
    const what = options.what;
    const ackTimeoutMs = options.timeoutMs ?? this.responseTimeoutMs;

    return new Promise<DataReply>((resolve, reject) => {
      let ack: Ack | null = null;
      const chunks: Buffer[] = [];
      let packets = 0;
      let garbage = 0;
      let sentAt = performance.now();
      let timer: NodeJS.Timeout | undefined;
      let dataDeadline = Infinity;
      const packetTimeMs = ((PACKET_OVERHEAD + 256) * 10 * 1000) / this.baud;
      const idleMs = Math.max(1000, 8 * packetTimeMs);

      const finish = (error: FingerprintError | null, reply?: DataReply): void => {
        clearTimeout(timer);
        this.waiter = null;
        if (error) {
          this.dirty = true;
          reject(error);
        } else resolve(reply!);
      };
      let dueAt = 0;
      let graces = 0;
      const arm = (ms: number): void => {
        clearTimeout(timer);
        const wait = Math.max(0, Math.min(ms, dataDeadline - performance.now()));
        dueAt = performance.now() + wait;
        graces = 0;
        timer = setTimeout(onTimer, wait);
      };
      // A timer that fires late means the event loop was stalled (GC, a loaded machine): bytes may be
      // waiting unread. Timers run before I/O callbacks, so give the I/O a moment before calling it a timeout.
      const onTimer = (): void => {
        if (performance.now() - dueAt > LATE_TIMER_MS && graces < MAX_GRACES) {
          graces++;
          dueAt = performance.now() + GRACE_MS;
          timer = setTimeout(onTimer, GRACE_MS);
          return;
        }
        onTimeout();
      };
      const onTimeout = (): void => {
        const stalled = this.parser.pendingBytes;
        if (stalled > 0) {
          for (const event of this.parser.resyncAfterStall()) waiter.handle(event);
          if (this.waiter !== waiter) return;
          finish(new TruncatedPacketError(ack ? `${what} data` : `${what} reply`, stalled));
        } else if (ack) {
          finish(new ResponseTimeoutError(`${what} data (after ${packets} packets)`, Math.round(idleMs)));
        } else if (garbage > 0) {
          finish(new GarbledReplyError(what, garbage, this.baud));
        } else {
          finish(new ResponseTimeoutError(`${what} at ${this.baud} baud`, ackTimeoutMs));
        }
      };
      const onPacket = (packet: Packet): void => {
        if (!ack) {
          if (packet.pid !== Pid.Ack || packet.content.length < 1) {
            return finish(
              new ProtocolError(
                `${what}: expected an acknowledge packet, got PID 0x${packet.pid.toString(16)}`,
              ),
            );
          }
          ack = { code: packet.content[0]!, data: Buffer.from(packet.content.subarray(1)) };
          if (!wantsData || ack.code !== 0)
            return finish(null, { ack, data: Buffer.alloc(0), packets: 0, sentAt, endAt: performance.now() });
          const budgetMs = options.expectedBytes
            ? (3 * options.expectedBytes * 1.1 * 10 * 1000) / this.baud
            : 60_000;
          dataDeadline = performance.now() + Math.max(5000, budgetMs);
          return arm(idleMs);
        }
        if (packet.pid !== Pid.Data && packet.pid !== Pid.End) {
          return finish(
            new ProtocolError(`${what}: expected a data packet, got PID 0x${packet.pid.toString(16)}`),
          );
        }
        chunks.push(packet.content);
        packets++;
        if (packet.pid === Pid.End) {
          finish(null, { ack, data: Buffer.concat(chunks), packets, sentAt, endAt: performance.now() });
        }
      };
      const waiter: Waiter = {
        handle: (event) => {
          if (this.waiter !== waiter) return;
          if (event.kind === "garbage") {
            garbage += event.bytes;
            this.stats.garbageBytes += event.bytes;
          } else if (event.kind === "bad-checksum") {
            this.stats.badChecksums++;
            const where = ack ? `${what} data packet ${packets + 1}` : `${what} reply`;
            finish(new BadChecksumError(where, event.expected, event.actual));
          } else onPacket(event.packet);
        },
        activity: () => {
          if (ack) arm(idleMs);
        },
        fail: (error) => finish(error),
      };
      this.waiter = waiter;
      arm(ackTimeoutMs);
      sentAt = performance.now();
      this.stream.write(encodeCommand(content, this.address)).catch((error: unknown) => {
        if (this.waiter !== waiter) return;
        finish(
          this.closedError ??
            new DeviceAbsentError(`writing ${what} failed: ${(error as Error).message}`, { cause: error }),
        );
      });
    });
  }

  private onData(chunk: Buffer): void {
    this.lastByteAt = performance.now();
    const waiter = this.waiter;
    if (!waiter) {
      this.stats.unsolicitedBytes += chunk.length;
      this.dirty = true;
      return;
    }
    waiter.activity();
    for (const event of this.parser.push(chunk)) {
      if (this.waiter !== waiter) {
        this.dirty = true;
        break;
      }
      waiter.handle(event);
    }
  }

  private onClose(error: Error | undefined): void {
    if (this.closedError) return;
    if (error instanceof DeviceAbsentError) {
      this.closedError = error;
      this.waiter?.fail(error);
      return;
    }
    this.closedError = new DeviceAbsentError(
      error ? `serial port closed: ${error.message} (unplugged?)` : "serial port closed",
      error ? { cause: error } : undefined,
    );
    this.waiter?.fail(this.closedError);
  }

  /** Waits until no byte has arrived for a few packet times, discarding what comes meanwhile. */
  private async drainLine(): Promise<void> {
    const quietMs = Math.max(100, (2 * (PACKET_OVERHEAD + 256) * 10 * 1000) / this.baud);
    const giveUpAt = performance.now() + 30_000;
    while (!this.closedError) {
      const silentFor = performance.now() - this.lastByteAt;
      if (silentFor >= quietMs) break;
      if (performance.now() > giveUpAt) throw new GarbledReplyError("line drain", 0, this.baud);
      await sleep(quietMs - silentFor);
    }
    if (this.closedError) throw this.closedError;
    this.parser.reset();
    this.dirty = false;
  }
}
