/**
 * A HID backend for machines without /dev/uhid: it serves a real UPS's report descriptor and report
 * bytes at report level (GET_REPORT(Feature) by id, input reports as the interrupt pipe delivers them,
 * byte 0 = report id), so the real parser, link and device class run unchanged against it.
 */
import type { HidBackend, HidDeviceInfo, HidReportTransport } from "../../drivers/transport/hid.js";

type Listener<T extends unknown[]> = (...args: T) => void;

export class FakeUpsDevice {
  private readonly features = new Map<number, Buffer>();
  readonly transports = new Set<FakeTransport>();
  /** Feature report ids that fail like a wedged device. */
  readonly failing = new Set<number>();
  getCount = 0;

  constructor(
    readonly info: HidDeviceInfo,
    readonly descriptor: Buffer,
    features: string[] = [],
  ) {
    for (const f of features) this.setFeature(f);
  }

  /** Store a feature report ("0c 64 64 03"); byte 0 is its id. */
  setFeature(report: string | Buffer): void {
    const b = typeof report === "string" ? hex(report) : report;
    this.features.set(b[0]!, b);
  }

  feature(reportId: number): Buffer | undefined {
    return this.features.get(reportId);
  }

  /** The UPS sends an input report, and (as real units do) the same state in the feature report. */
  sendInput(report: string, alsoFeature = true): void {
    const b = hex(report);
    if (alsoFeature && this.features.has(b[0]!)) this.setFeature(b);
    for (const t of this.transports) t.deliver(b);
  }

  /** USB cable pulled: reads fail the way node-hid reports it. */
  unplug(): void {
    for (const t of [...this.transports]) t.fail(new Error("could not read from HID device"));
  }
}

class FakeTransport implements HidReportTransport {
  private inputListeners = new Set<Listener<[Buffer]>>();
  private closeListeners = new Set<Listener<[Error | undefined]>>();
  private open = true;

  constructor(private readonly device: FakeUpsDevice) {
    device.transports.add(this);
  }

  get isOpen(): boolean {
    return this.open;
  }

  async getFeatureReport(reportId: number, length: number): Promise<Buffer> {
    if (!this.open) throw new Error("Cannot access closed device");
    this.device.getCount++;
    const report = this.device.feature(reportId);
    if (!report || this.device.failing.has(reportId))
      throw new Error("could not get feature report from device");
    return Buffer.from(report.subarray(0, Math.max(1, length)));
  }

  onInputReport(listener: (report: Buffer) => void): () => void {
    this.inputListeners.add(listener);
    return () => this.inputListeners.delete(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  deliver(report: Buffer): void {
    if (this.open) for (const l of [...this.inputListeners]) l(Buffer.from(report));
  }

  fail(error?: Error): void {
    if (!this.open) return;
    this.open = false;
    this.device.transports.delete(this);
    for (const l of [...this.closeListeners]) l(error);
    this.inputListeners.clear();
    this.closeListeners.clear();
  }

  async close(): Promise<void> {
    this.fail(undefined);
  }
}

export class FakeHidBackend implements HidBackend {
  readonly devices: FakeUpsDevice[] = [];

  constructor(devices: FakeUpsDevice[] = []) {
    this.devices.push(...devices);
  }

  async list(): Promise<HidDeviceInfo[]> {
    return this.devices.map((d) => ({ ...d.info }));
  }

  async open(path: string): Promise<HidReportTransport> {
    const dev = this.devices.find((d) => d.info.path === path);
    if (!dev) throw new Error(`cannot open device with path ${path}`);
    return new FakeTransport(dev);
  }

  async readDescriptor(path: string): Promise<Buffer> {
    const dev = this.devices.find((d) => d.info.path === path);
    if (!dev) throw new Error(`ENOENT: no such file or directory, open '/sys/class/hidraw/${path}'`);
    return Buffer.from(dev.descriptor);
  }
}

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ""), "hex");
}
