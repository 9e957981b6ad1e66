/**
 * The emulator behind serialport's MockBinding: a binding to inject into SerialByteStream.open() whose
 * port forwards every host write to the emulator and delivers the emulator's bytes as received data.
 * The host's baud rate is read from the mock port, so the wrong-baud fault garbles for real.
 */
// @ts-expect-error -- binding-mock ships types its package.json exports map hides from NodeNext
import { MockBinding as UntypedMockBinding } from "@serialport/binding-mock";
import { R30xEmulator, type R30xEmulatorOptions } from "./r30x-emulator.js";

/** The slice of @serialport/binding-mock this adapter uses (its .d.ts, restated). */
interface MockPort {
  isOpen: boolean;
  port?: { openOpt?: { baudRate?: number } };
  write(buffer: Buffer): Promise<void>;
  close(): Promise<void>;
  emitData(data: Buffer): void;
}
interface MockBindingApi {
  createPort(path: string, options?: { echo?: boolean; record?: boolean }): void;
  open(options: { path: string; baudRate: number }): Promise<MockPort>;
  list(): Promise<unknown[]>;
  reset(): void;
}
const MockBinding = UntypedMockBinding as MockBindingApi;

export interface MockR30x {
  emulator: R30xEmulator;
  path: string;
  /** Pass as `binding` to SerialByteStream.open(). */
  binding: MockBindingApi;
}

export function createMockR30x(path: string, options: R30xEmulatorOptions = {}): MockR30x {
  const emulator = new R30xEmulator(options);
  MockBinding.createPort(path, { echo: false, record: false });
  const binding: MockBindingApi = {
    createPort: (p, o) => MockBinding.createPort(p, o),
    list: () => MockBinding.list(),
    reset: () => MockBinding.reset(),
    async open(openOptions) {
      const port = await MockBinding.open(openOptions);
      const write = port.write.bind(port);
      port.write = async (buffer: Buffer) => {
        await write(buffer);
        emulator.receive(Buffer.from(buffer));
      };
      const close = port.close.bind(port);
      port.close = async () => {
        emulator.detach();
        await close();
      };
      emulator.attach({
        write: (bytes) => {
          if (port.isOpen) port.emitData(bytes);
        },
        hostBaud: () => port.port?.openOpt?.baudRate,
      });
      return port;
    },
  };
  return { emulator, path, binding };
}

/** Removes every mock port (MockBinding keeps a process-wide registry). */
export function resetMockPorts(): void {
  MockBinding.reset();
}
