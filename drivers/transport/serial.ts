// The only file in the project that imports serialport.
import { SerialPort } from "serialport";
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bindings-interface ships types its exports map hides
type BindingInterface = any;
import { stat } from "node:fs/promises";
import { Listeners, type ByteStream } from "./byte-stream.js";

export interface SerialOptions {
  path: string;
  baudRate: number;
  /** Injected binding (e.g. @serialport/binding-mock) for tests; the real OS binding otherwise. */
  binding?: BindingInterface;
  /**
   * While open, check every N ms that the path still names the device that was opened, and close as
   * unplugged when it does not. A hung-up tty does not always produce a read error (a pty whose master
   * died can return EOF forever), so without this an unplug can go unnoticed until the next request.
   */
  presenceCheckMs?: number;
}

export interface SerialPortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

/** A serial port as a ByteStream. The baud rate can be changed in place (R30x SetBaud, printers). */
export class SerialByteStream implements ByteStream {
  private readonly data = new Listeners<[Buffer]>();
  private readonly closed = new Listeners<[Error | undefined]>();
  /** Device number the path named at open; undefined when it could not be read (e.g. a mock port). */
  private deviceNumber: number | undefined;
  private presenceTimer: NodeJS.Timeout | undefined;
  private vanished: Error | undefined;
  private constructor(private readonly port: SerialPort) {
    port.on("data", (chunk: Buffer) => this.data.emit(chunk));
    port.on("close", (err?: Error) => {
      clearInterval(this.presenceTimer);
      this.closed.emit(err ?? this.vanished);
      this.data.clear();
      this.closed.clear();
    });
    // An error after open (unplug) is followed by close; without this listener it would crash the process.
    port.on("error", () => undefined);
  }

  static open(options: SerialOptions): Promise<SerialByteStream> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({
        path: options.path,
        baudRate: options.baudRate,
        autoOpen: false,
        // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- BindingInterface is any (see the import)
        ...(options.binding ? { binding: options.binding } : {}),
      });
      port.open((err) => {
        if (err) return reject(err);
        const stream = new SerialByteStream(port);
        stat(options.path).then(
          (st) => {
            stream.deviceNumber = st.rdev;
            if (options.presenceCheckMs) stream.watchPresence(options.presenceCheckMs);
            resolve(stream);
          },
          () => resolve(stream),
        );
      });
    });
  }

  /** False when the path is gone or now names another device (unplugged, or replugged as a new one). */
  async isPresent(): Promise<boolean> {
    if (this.deviceNumber === undefined) return this.port.isOpen;
    try {
      return (await stat(this.port.path)).rdev === this.deviceNumber;
    } catch {
      return false;
    }
  }

  private watchPresence(everyMs: number): void {
    this.presenceTimer = setInterval(() => {
      void this.isPresent().then((present) => {
        if (present || !this.port.isOpen) return;
        this.vanished = new Error(`${this.port.path} disappeared (unplugged)`);
        void this.close();
      });
    }, everyMs);
    this.presenceTimer.unref?.();
  }

  get isOpen(): boolean {
    return this.port.isOpen;
  }

  get path(): string {
    return this.port.path;
  }

  write(data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.port.isOpen) return reject(new Error(`serial port ${this.port.path} is closed`));
      this.port.write(Buffer.from(data), (err) => {
        if (err) return reject(err);
        this.port.drain((e) => (e ? reject(e) : resolve()));
      });
    });
  }

  setBaudRate(baudRate: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.port.update({ baudRate }, (e) => (e ? reject(e) : resolve())),
    );
  }

  /** Stop reading: the kernel buffer fills and the sender blocks (emulators pacing a UART use this). */
  pause(): void {
    this.port.pause();
  }

  resume(): void {
    this.port.resume();
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.closed.add(listener);
  }

  close(): Promise<void> {
    clearInterval(this.presenceTimer);
    return new Promise((resolve) => {
      if (!this.port.isOpen) return resolve();
      this.port.close(() => resolve());
    });
  }
}

/** serialport's list() rejects where udevadm is missing; callers then fall back to /sys and /dev/serial/by-id. */
export async function listSerialPorts(): Promise<SerialPortInfo[]> {
  const ports = await SerialPort.list();
  return ports.map((p) => ({
    path: p.path,
    ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
    ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
    ...(p.vendorId ? { vendorId: p.vendorId.toLowerCase() } : {}),
    ...(p.productId ? { productId: p.productId.toLowerCase() } : {}),
  }));
}
