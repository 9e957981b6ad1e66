/**
 * An R30x / AS608 / ZFM / R503 module: handshake and password, system parameters, baud and packet size,
 * capture (poll GenImg, then UpImage and unpack), and the R503's LED ring.
 */
import type { ByteStream } from "../transport/byte-stream.js";
import {
  Command,
  Confirmation,
  DEFAULT_ADDRESS,
  DEFAULT_PASSWORD,
  LedColor,
  LedControl,
  baudMultiplier,
  confirmationMeaning,
  decodeSystemParameters,
  imageWireBytes,
  packetSizeCode,
  type SystemParameters,
} from "./r30x-codec.js";
import { R30xLink, type Ack, type LinkStats } from "./r30x-link.js";
import {
  AbortedError,
  ModuleError,
  NoFingerError,
  ProtocolError,
  ResponseTimeoutError,
  UnsupportedError,
} from "./errors.js";
import {
  R30X_SENSOR,
  R503_SENSOR,
  packedImageBytes,
  unpack4BitImage,
  type GrayImage,
  type SensorGeometry,
} from "./image.js";

/** A byte stream whose line rate the host can change (SerialByteStream does). */
export interface BaudSettable {
  setBaudRate(baud: number): Promise<void>;
}

export type R30xModel = "r30x" | "r503";

export interface R30xOptions {
  baud: number;
  model?: R30xModel;
  address?: number;
  password?: number;
  responseTimeoutMs?: number;
  /** Pause between GenImg polls; real modules already take 0.2-1 s per GenImg. */
  pollIntervalMs?: number;
}

export interface R30xCapture {
  image: GrayImage;
  /** Waiting for a finger (GenImg polling), then moving the image (UpImage to the end packet). */
  waitMs: number;
  transferMs: number;
  genImgPolls: number;
  /** Bytes the module put on the wire for the image (ack + data packets). */
  wireBytes: number;
  packets: number;
}

export interface CaptureOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export class R30xScanner {
  readonly model: R30xModel;
  readonly geometry: SensorGeometry;
  private readonly link: R30xLink;
  private readonly password: number;
  private readonly pollIntervalMs: number;
  private params: SystemParameters | null = null;

  constructor(
    private readonly stream: ByteStream & Partial<BaudSettable>,
    options: R30xOptions,
  ) {
    this.model = options.model ?? "r30x";
    this.geometry = this.model === "r503" ? R503_SENSOR : R30X_SENSOR;
    this.password = options.password ?? DEFAULT_PASSWORD;
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.link = new R30xLink(stream, {
      baud: options.baud,
      address: options.address ?? DEFAULT_ADDRESS,
      ...(options.responseTimeoutMs !== undefined ? { responseTimeoutMs: options.responseTimeoutMs } : {}),
    });
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  get linkStats(): LinkStats {
    return this.link.stats;
  }

  get systemParameters(): SystemParameters | null {
    return this.params;
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.stream.onClose(listener);
  }

  /**
   * Verify the password (the universal handshake: every family answers VfyPwd) and read the parameters.
   * One retry on silence: a ZFM-20 ignores commands for ~500 ms after power-on, which is when we open it.
   */
  async connect(): Promise<SystemParameters> {
    try {
      await this.verifyPassword();
    } catch (e) {
      if (!(e instanceof ResponseTimeoutError)) throw e;
      await this.verifyPassword();
    }
    return this.readSystemParameters();
  }

  async verifyPassword(): Promise<void> {
    expectOk("VfyPwd", await this.link.request(Command.verifyPassword(this.password), { what: "VfyPwd" }));
  }

  /** R502/R503 only: HandShake 0x40 answers 00 when the module is healthy. */
  async handshake(): Promise<void> {
    expectOk("HandShake", await this.link.request(Command.handShake(), { what: "HandShake" }));
  }

  async readSystemParameters(): Promise<SystemParameters> {
    const ack = expectOk(
      "ReadSysPara",
      await this.link.request(Command.readSysPara(), { what: "ReadSysPara" }),
    );
    try {
      this.params = decodeSystemParameters(ack.data);
    } catch (e) {
      throw new ProtocolError(`ReadSysPara: ${(e as Error).message}`);
    }
    return this.params;
  }

  /**
   * The module acknowledges at the old speed and only then switches (ZFM-20 §4.3), so: send, take the
   * ack, then move the host port, then confirm by reading the parameters at the new speed.
   */
  async setBaudRate(baud: number): Promise<SystemParameters> {
    baudMultiplier(baud);
    if (!this.stream.setBaudRate) throw new UnsupportedError("this transport cannot change its baud rate");
    expectOk(
      "SetSysPara(baud)",
      await this.link.request(Command.setBaudRate(baud), { what: "SetSysPara(baud)" }),
    );
    await this.stream.setBaudRate(baud);
    this.link.setBaud(baud);
    return this.readSystemParameters();
  }

  async setPacketSize(bytes: number): Promise<SystemParameters> {
    packetSizeCode(bytes);
    expectOk(
      "SetSysPara(packet size)",
      await this.link.request(Command.setPacketSize(bytes), { what: "SetSysPara(packet size)" }),
    );
    return this.readSystemParameters();
  }

  /** R503 ring LED; other modules answer "unsupported command" or nothing. */
  async setLed(control: LedControl, color: LedColor = LedColor.Blue, speed = 0x80, count = 0): Promise<void> {
    if (this.model !== "r503") throw new UnsupportedError("only the R503 has an LED ring");
    expectOk(
      "AuraLedConfig",
      await this.link.request(Command.auraLed(control, speed, color, count), { what: "AuraLedConfig" }),
    );
  }

  /**
   * Polls GenImg until a finger is present or the timeout passes, then uploads and unpacks the image.
   * "No finger" and "capture failed" (a smudge, a finger lifted too soon) are retried until the deadline.
   */
  async capture(options: CaptureOptions): Promise<R30xCapture> {
    const started = performance.now();
    const deadline = started + options.timeoutMs;
    let polls = 0;
    for (;;) {
      if (options.signal?.aborted) throw new AbortedError("capture");
      const ack = await this.link.request(Command.genImg(), { what: "GenImg" });
      polls++;
      if (ack.code === Confirmation.Ok) break;
      if (ack.code !== Confirmation.NoFinger && ack.code !== Confirmation.CaptureFailed) {
        throw new ModuleError("GenImg", ack.code, confirmationMeaning(ack.code));
      }
      const left = deadline - performance.now();
      if (left <= 0) throw new NoFingerError(performance.now() - started);
      await sleep(Math.min(this.pollIntervalMs, left), options.signal);
    }
    const fingerAt = performance.now();
    const imageBytes = packedImageBytes(this.geometry);
    const reply = await this.link.requestWithData(Command.upImage(), {
      what: "UpImage",
      expectedBytes: imageBytes,
    });
    expectOk("UpImage", reply.ack);
    if (reply.data.length !== imageBytes) {
      throw new ProtocolError(
        `UpImage sent ${reply.data.length} bytes in ${reply.packets} packets, expected ${imageBytes}`,
      );
    }
    const packetSize = this.params?.packetSize ?? Math.ceil(imageBytes / reply.packets);
    return {
      image: unpack4BitImage(reply.data, this.geometry),
      waitMs: fingerAt - started,
      transferMs: reply.endAt - reply.sentAt,
      genImgPolls: polls,
      wireBytes: imageWireBytes(imageBytes, packetSize),
      packets: reply.packets,
    };
  }

  close(): Promise<void> {
    return this.link.close();
  }
}

function expectOk(what: string, ack: Ack): Ack {
  if (ack.code !== Confirmation.Ok) throw new ModuleError(what, ack.code, confirmationMeaning(ack.code));
  return ack;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(new AbortedError("capture"));
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
