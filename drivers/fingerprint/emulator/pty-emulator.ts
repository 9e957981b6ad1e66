/**
 * An R30x emulator on the far end of a socat pty pair, opened through the real serialport binding:
 * the host side is byte-for-byte what a USB-serial adapter gives the driver.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialByteStream } from "../../transport/serial.js";
import { PtyPair } from "./pty-pair.js";
import { R30xEmulator, type R30xEmulatorOptions } from "./r30x-emulator.js";

export interface PtyEmulatorOptions extends R30xEmulatorOptions {
  /** Directory for the pty links; a fresh temp dir (removed on stop) when omitted. */
  dir?: string;
  name?: string;
}

export class R30xPtyEmulator {
  readonly emulator: R30xEmulator;
  private readonly pair: PtyPair;
  private deviceEnd: SerialByteStream | null = null;
  private readonly ownDir: string | null;

  private constructor(options: PtyEmulatorOptions) {
    this.ownDir = options.dir ? null : mkdtempSync(join(tmpdir(), "fingerprint-pty-"));
    this.pair = new PtyPair({ dir: options.dir ?? this.ownDir!, name: options.name ?? "r30x" });
    this.emulator = new R30xEmulator(options);
  }

  static async start(options: PtyEmulatorOptions = {}): Promise<R30xPtyEmulator> {
    const emu = new R30xPtyEmulator(options);
    try {
      await emu.plugIn();
    } catch (e) {
      await emu.stop();
      throw e;
    }
    return emu;
  }

  /** The path the driver opens, like /dev/ttyUSB0. */
  get hostPath(): string {
    return this.pair.hostPath;
  }

  get plugged(): boolean {
    return this.pair.running;
  }

  /** Power-on too: an R503 sends its 0x55 once the cable is back. */
  async plugIn(): Promise<void> {
    await this.pair.start();
    const end = await SerialByteStream.open({ path: this.pair.devicePath, baudRate: this.emulator.baud });
    this.deviceEnd = end;
    end.onData((chunk) => this.emulator.receive(chunk));
    end.onClose(() => {
      if (this.deviceEnd === end) this.emulator.detach();
    });
    this.emulator.attach({ write: (bytes) => end.write(bytes) });
  }

  async unplug(): Promise<void> {
    this.emulator.detach();
    this.deviceEnd = null;
    await this.pair.unplug();
  }

  async stop(): Promise<void> {
    this.emulator.detach();
    const end = this.deviceEnd;
    this.deviceEnd = null;
    await end?.close();
    await this.pair.stop();
    if (this.ownDir) rmSync(this.ownDir, { recursive: true, force: true });
  }
}
