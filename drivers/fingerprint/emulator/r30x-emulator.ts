/**
 * A byte-level R30x / R503 module emulator. It parses the host's command packets with the same framing
 * rules as the module, answers like the module, paces its bytes at the line rate, and can be told to
 * misbehave. Transport adapters (pty via socat, serialport MockBinding) feed it bytes and carry its replies.
 */
import {
  Confirmation,
  DEFAULT_ADDRESS,
  DEFAULT_PASSWORD,
  Instruction,
  PACKET_SIZES,
  Pid,
  R503_READY_BYTE,
  SysParam,
  encodePacket,
  encodeSystemParameters,
  type PacketSize,
} from "../r30x-codec.js";
import { R30xPacketParser } from "../r30x-parser.js";
import { R30X_SENSOR, R503_SENSOR, pack4BitImage, quantizeTo4Bit, type GrayImage } from "../image.js";
import { syntheticFinger } from "../synthetic/index.js";
import { resampleUart } from "./uart-garble.js";
import { setTimeout as sleep } from "node:timers/promises";

/** Where the emulator's bytes go, and (when the transport knows it) the host's current baud rate. */
export interface EmulatorPort {
  write(bytes: Buffer): Promise<void> | void;
  hostBaud?(): number | undefined;
}

export type EmulatorFault =
  /** Corrupt the checksum of the next reply's ack, or of data packet `packetIndex` of the next upload. */
  | { kind: "bad-checksum"; target?: "ack" | "data"; packetIndex?: number }
  /** Send only the first `keepBytes` of a packet, then nothing more for that reply. */
  | { kind: "truncated"; target?: "ack" | "data"; packetIndex?: number; keepBytes?: number }
  /** Ignore the next `commands` commands entirely. */
  | { kind: "silence"; commands?: number }
  /** The module now runs at `baud`, whatever the host uses, until clearFaults(). */
  | { kind: "wrong-baud"; baud: number };

export interface R30xEmulatorOptions {
  model?: "r30x" | "r503";
  address?: number;
  password?: number;
  baud?: number;
  packetSize?: PacketSize;
  /** Image served on the next captures; synthetic finger `finger` when omitted. */
  image?: GrayImage;
  /** Which of the ten synthetic fingers (ANSI/NIST position 1..10) is on the glass; default 2. */
  finger?: number;
  /** Send bytes no faster than the line rate (baud / 10 bytes per second). */
  pace?: boolean;
  /** Time GenImg takes (real modules: 0.2-1 s). */
  genImgDelayMs?: number;
}

export interface EmulatorStats {
  commands: Record<string, number>;
  badCommands: number;
  bytesSent: number;
  uploads: number;
}

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(Instruction).map(([k, v]) => [v, k]));

export class R30xEmulator {
  readonly model: "r30x" | "r503";
  readonly stats: EmulatorStats = { commands: {}, badCommands: 0, bytesSent: 0, uploads: 0 };
  private readonly address: number;
  private readonly password: number;
  /** The baud the module is configured for: what a correctly configured host uses. */
  private configuredBaud: number;
  /** The baud the module actually talks at: differs only under a wrong-baud fault. */
  private moduleBaud: number;
  private packetSize: PacketSize;
  private securityLevel = 3;
  private image: GrayImage;
  private captured: GrayImage | null = null;
  private lastUploaded: GrayImage | null = null;
  private noFingerRemaining = 0;
  private faults: EmulatorFault[] = [];
  private readonly parser: R30xPacketParser;
  private port: EmulatorPort | null = null;
  /** Send bytes no faster than the line rate; may be switched at any time. */
  pace: boolean;
  private readonly genImgDelayMs: number;
  private lineFreeAt = 0;
  private sendChain: Promise<void> = Promise.resolve();
  private generation = 0;
  private commandChain: Promise<void> = Promise.resolve();

  constructor(options: R30xEmulatorOptions = {}) {
    this.model = options.model ?? "r30x";
    this.address = options.address ?? DEFAULT_ADDRESS;
    this.password = options.password ?? DEFAULT_PASSWORD;
    this.configuredBaud = options.baud ?? 57600;
    this.moduleBaud = this.configuredBaud;
    this.packetSize = options.packetSize ?? 128;
    this.pace = options.pace ?? false;
    this.genImgDelayMs = options.genImgDelayMs ?? 0;
    const sensor = this.model === "r503" ? R503_SENSOR : R30X_SENSOR;
    this.image = options.image ?? syntheticFinger(options.finger ?? 2, { ...sensor, ppi: 500 });
    // Modules ignore packets for other addresses, so parse only ours.
    this.parser = new R30xPacketParser({ address: this.address });
  }

  get baud(): number {
    return this.configuredBaud;
  }

  get currentPacketSize(): PacketSize {
    return this.packetSize;
  }

  /** The 8-bit image the host must reconstruct from the last upload (the served image at 4 bits). */
  get lastUploadedImage(): GrayImage | null {
    return this.lastUploaded;
  }

  /** Connects a transport. The R503 announces itself with a raw 0x55 at power-on. */
  attach(port: EmulatorPort, options: { powerOn?: boolean } = {}): void {
    this.detach();
    this.port = port;
    this.parser.reset();
    if (options.powerOn !== false && this.model === "r503") this.send(Buffer.from([R503_READY_BYTE]));
  }

  /** Unplugged: queued output is dropped and nothing more is sent. */
  detach(): void {
    this.generation++;
    this.port = null;
    this.sendChain = Promise.resolve();
    this.lineFreeAt = 0;
  }

  /** Power blip: the image buffer is lost and an R503 announces itself again with 0x55. */
  powerCycle(): void {
    this.captured = null;
    this.parser.reset();
    if (this.model === "r503") this.send(Buffer.from([R503_READY_BYTE]));
  }

  setImage(image: GrayImage): void {
    this.image = image;
  }

  /**
   * Puts synthetic finger `position` (1 right thumb … 10 left little) on the glass for the next captures.
   * A different `impression` gives another press of the same finger (placement, ridge noise).
   */
  placeFinger(position: number, impression = 0): void {
    const sensor = this.model === "r503" ? R503_SENSOR : R30X_SENSOR;
    this.image = syntheticFinger(position, { ...sensor, ppi: 500, seed: impression });
  }

  /** Answer "no finger" to the next `times` GenImg commands. */
  noFinger(times: number): void {
    this.noFingerRemaining = times;
  }

  injectFault(fault: EmulatorFault): void {
    if (fault.kind === "wrong-baud") this.moduleBaud = fault.baud;
    this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults = [];
    this.moduleBaud = this.configuredBaud;
  }

  /** Bytes from the host. */
  receive(bytes: Buffer): void {
    const heard = resampleUart(bytes, this.hostBaud(), this.moduleBaud);
    for (const event of this.parser.push(heard)) {
      if (event.kind === "bad-checksum") {
        this.stats.badCommands++;
        this.enqueueCommand(() => this.ack(Confirmation.PacketReceiveError));
      } else if (
        event.kind === "packet" &&
        event.packet.pid === Pid.Command &&
        event.packet.content.length > 0
      ) {
        const content = event.packet.content;
        this.enqueueCommand(() => this.execute(content));
      }
    }
  }

  private hostBaud(): number {
    return this.port?.hostBaud?.() ?? this.configuredBaud;
  }

  private enqueueCommand(fn: () => unknown): void {
    this.commandChain = this.commandChain.then(fn).then(
      () => undefined,
      () => undefined,
    );
  }

  private takeFault<K extends EmulatorFault["kind"]>(
    kind: K,
    match?: (f: Extract<EmulatorFault, { kind: K }>) => boolean,
  ) {
    const index = this.faults.findIndex(
      (f) => f.kind === kind && (!match || match(f as Extract<EmulatorFault, { kind: K }>)),
    );
    if (index < 0) return undefined;
    return this.faults.splice(index, 1)[0] as Extract<EmulatorFault, { kind: K }>;
  }

  private async execute(content: Buffer): Promise<unknown> {
    const code = content[0]!;
    const name = NAMES[code] ?? `0x${code.toString(16)}`;
    this.stats.commands[name] = (this.stats.commands[name] ?? 0) + 1;
    const silence = this.faults.find((f) => f.kind === "silence");
    if (silence && silence.kind === "silence") {
      silence.commands = (silence.commands ?? 1) - 1;
      if (silence.commands <= 0) this.faults.splice(this.faults.indexOf(silence), 1);
      return;
    }
    switch (code) {
      case Instruction.VfyPwd:
        return this.ack(
          content.length >= 5 && content.readUInt32BE(1) === this.password >>> 0
            ? Confirmation.Ok
            : Confirmation.WrongPassword,
        );
      case Instruction.HandShake:
      case Instruction.CheckSensor:
        return this.ack(Confirmation.Ok);
      case Instruction.ReadSysPara:
        return this.ack(
          Confirmation.Ok,
          encodeSystemParameters({
            status: this.captured ? 0x08 : 0,
            systemId: 0,
            capacity: this.model === "r503" ? 200 : 1000,
            securityLevel: this.securityLevel,
            address: this.address,
            packetSize: this.packetSize,
            baud: this.configuredBaud,
          }),
        );
      case Instruction.SetSysPara:
        return this.setSysPara(content[1] ?? 0xff, content[2] ?? 0xff);
      case Instruction.TemplateNum:
        return this.ack(Confirmation.Ok, Buffer.from([0, 0]));
      case Instruction.GenImg:
        return this.genImg();
      case Instruction.UpImage:
        return this.upImage();
      case Instruction.AuraLedConfig:
        return this.ack(this.model === "r503" ? Confirmation.Ok : 0xfc);
      case Instruction.SoftReset:
        await this.ack(Confirmation.Ok);
        if (this.model === "r503") this.send(Buffer.from([R503_READY_BYTE]));
        return;
      default:
        return this.ack(0xfc);
    }
  }

  private async setSysPara(param: number, value: number): Promise<unknown> {
    if (param === SysParam.Baud && value >= 1 && value <= 12) {
      // Acknowledge at the old speed, then switch (ZFM-20 §4.3).
      await this.ack(Confirmation.Ok);
      await this.sendChain;
      this.configuredBaud = value * 9600;
      this.moduleBaud = this.faults.some((f) => f.kind === "wrong-baud")
        ? this.moduleBaud
        : this.configuredBaud;
      return;
    }
    if (param === SysParam.PacketSize && value < PACKET_SIZES.length) {
      this.packetSize = PACKET_SIZES[value]!;
      return this.ack(Confirmation.Ok);
    }
    if (param === SysParam.SecurityLevel && value >= 1 && value <= 5) {
      this.securityLevel = value;
      return this.ack(Confirmation.Ok);
    }
    return this.ack(Confirmation.InvalidRegister);
  }

  private async genImg(): Promise<unknown> {
    if (this.genImgDelayMs > 0) await sleep(this.genImgDelayMs);
    if (this.noFingerRemaining > 0) {
      this.noFingerRemaining--;
      return this.ack(Confirmation.NoFinger);
    }
    this.captured = this.image;
    return this.ack(Confirmation.Ok);
  }

  private async upImage(): Promise<unknown> {
    if (!this.captured) return this.ack(Confirmation.UploadImageFailed);
    const data = pack4BitImage(this.captured);
    if (!(await this.ack(Confirmation.Ok))) return;
    this.stats.uploads++;
    this.lastUploaded = quantizeTo4Bit(this.captured);
    const count = Math.ceil(data.length / this.packetSize);
    const dataFault = this.replyFault("data");
    for (let i = 0; i < count; i++) {
      const pid = i === count - 1 ? Pid.End : Pid.Data;
      const payload = data.subarray(i * this.packetSize, (i + 1) * this.packetSize);
      const at = dataFault && "packetIndex" in dataFault ? (dataFault.packetIndex ?? 0) : 0;
      const fault = dataFault && at === i ? dataFault : undefined;
      if (!this.sendPacket(pid, payload, fault)) return;
    }
  }

  /** A reply fault without a target hits the next acknowledgement, whatever the command. */
  private replyFault(target: "ack" | "data"): EmulatorFault | undefined {
    const isFor = (f: { target?: "ack" | "data" }): boolean => (f.target ?? "ack") === target;
    return this.takeFault("bad-checksum", isFor) ?? this.takeFault("truncated", isFor);
  }

  /** Resolves false when a fault cut the reply short. */
  private async ack(code: number, data: Buffer = Buffer.alloc(0)): Promise<boolean> {
    return this.sendPacket(Pid.Ack, Buffer.concat([Buffer.from([code]), data]), this.replyFault("ack"));
  }

  private sendPacket(pid: number, content: Buffer, fault?: EmulatorFault): boolean {
    const packet = encodePacket({ address: this.address, pid, content });
    if (fault?.kind === "bad-checksum") packet[packet.length - 1]! ^= 0x5a;
    if (fault?.kind === "truncated") {
      this.send(packet.subarray(0, fault.keepBytes ?? Math.floor(packet.length / 2)));
      return false;
    }
    this.send(packet);
    return true;
  }

  /** Queues bytes on the line; with pacing, each chunk lands when its last bit would have. */
  private send(bytes: Buffer): void {
    const port = this.port;
    if (!port) return;
    const generation = this.generation;
    const onWire = resampleUart(bytes, this.moduleBaud, this.hostBaud());
    const now = performance.now();
    const start = this.pace ? Math.max(now, this.lineFreeAt) : now;
    const due = start + (this.pace ? (bytes.length * 10 * 1000) / this.moduleBaud : 0);
    this.lineFreeAt = due;
    this.stats.bytesSent += bytes.length;
    this.sendChain = this.sendChain.then(async () => {
      const wait = due - performance.now();
      if (this.pace && wait > 0) await sleep(wait);
      if (this.generation !== generation || !this.port) return;
      try {
        await port.write(onWire);
      } catch {
        // The transport went away mid-reply (unplug): the host sees a cut-off reply, as with hardware.
      }
    });
  }
}
