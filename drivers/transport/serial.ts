// The only file in the project that imports serialport.
import { SerialPort } from "serialport";
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bindings-interface ships types its exports map hides
type BindingInterface = any;
import { Listeners, type ByteStream } from "./byte-stream.js";

export interface SerialOptions {
  path: string;
  baudRate: number;
  /** Injected binding (e.g. @serialport/binding-mock) for tests; the real OS binding otherwise. */
  binding?: BindingInterface;
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
  private constructor(private readonly port: SerialPort) {
    port.on("data", (chunk: Buffer) => this.data.emit(chunk));
    port.on("close", (err?: Error) => {
      this.closed.emit(err ?? undefined);
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
        ...(options.binding ? { binding: options.binding } : {}),
      } as ConstructorParameters<typeof SerialPort>[0]);
      port.open((err) => (err ? reject(err) : resolve(new SerialByteStream(port))));
    });
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

  onData(listener: (chunk: Buffer) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.closed.add(listener);
  }

  close(): Promise<void> {
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
