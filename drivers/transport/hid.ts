// The only file in the project that imports node-hid, and only lazily (dynamic import) so that a
// missing libusb/libudev makes the UPS `unavailable` instead of stopping the agent at start-up.
import { constants as fsConstants } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { Listeners } from "./byte-stream.js";

export interface HidDeviceInfo {
  path: string;
  vendorId: number;
  productId: number;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  /** Top-level collection usage page/usage (0x84/0x04 for a UPS), when the backend tells. */
  usagePage?: number;
  usage?: number;
  interface?: number;
}

/** A HID device at report level: what a UPS driver needs, and what a test fake serves. */
export interface HidReportTransport {
  /** GET_REPORT(Feature). `length` includes the report-id byte; the result starts with the id. */
  getFeatureReport(reportId: number, length: number): Promise<Buffer>;
  /** Input reports from the interrupt pipe; numbered reports carry the id in byte 0. */
  onInputReport(listener: (report: Buffer) => void): () => void;
  /** Called once when the device goes away or is closed. */
  onClose(listener: (error?: Error) => void): () => void;
  readonly isOpen: boolean;
  close(): Promise<void>;
}

export interface HidBackend {
  list(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidReportTransport>;
  /** The raw report descriptor (node-hid cannot return it; Linux exposes it in sysfs). */
  readDescriptor(path: string): Promise<Buffer>;
}

export type HidAvailability = { available: true; backend: HidBackend } | ({ available: false } & HidProblem);

/** Why HID cannot be used: `code` is stable (callers word it in their reader's language), the rest English. */
export interface HidProblem {
  code: "libusb-missing" | "libudev-missing" | "no-permission" | "not-installed" | "wrong-build" | "failed";
  reason: string;
  fix: string;
  error: string;
}

/** What loading node-hid yields; only the members this file uses. */
export interface NodeHidModule {
  devicesAsync(): Promise<NodeHidDevice[]>;
  HIDAsync: { open(path: string, options?: { nonExclusive?: boolean }): Promise<NodeHidHandle> };
}
interface NodeHidDevice {
  path?: string;
  vendorId: number;
  productId: number;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  usagePage?: number;
  usage?: number;
  interface?: number;
}
interface NodeHidHandle {
  getFeatureReport(reportId: number, reportLength: number): Promise<Buffer>;
  on(event: "data", listener: (data: Buffer) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  close(): Promise<void>;
}

export type NodeHidLoader = () => Promise<NodeHidModule>;

const defaultLoader: NodeHidLoader = async () => await import("node-hid");

export interface HidBackendOptions {
  /** Injected for tests: a loader that throws the real error text of a missing library. */
  loader?: NodeHidLoader;
  /** sysfs root, default /sys (tests point it at a temporary tree). */
  sysRoot?: string;
}

/**
 * Load node-hid and prove it works with one enumeration (the shared libraries load on first use,
 * not on import). Never throws: failure comes back as a reason and what to do about it.
 */
export async function loadHidBackend(options: HidBackendOptions = {}): Promise<HidAvailability> {
  const loader = options.loader ?? defaultLoader;
  let hid: NodeHidModule;
  try {
    hid = await loader();
    await hid.devicesAsync();
  } catch (e) {
    return { available: false, ...explainHidError(e) };
  }
  return { available: true, backend: new NodeHidBackend(hid, options.sysRoot ?? "/sys") };
}

/** Turn node-hid's load/open errors into words station staff and `doctor` can act on. */
export function explainHidError(e: unknown): HidProblem {
  const error = e instanceof Error ? e.message : String(e);
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (/libusb-1\.0\.so/.test(error)) {
    return {
      code: "libusb-missing",
      error,
      reason: "the libusb library is missing",
      fix: "install it: apt-get install libusb-1.0-0",
    };
  }
  if (/libudev\.so/.test(error)) {
    return {
      code: "libudev-missing",
      error,
      reason: "the libudev library is missing",
      fix: "install it: apt-get install libudev1",
    };
  }
  if (code === "EACCES" || /permission denied|EACCES|cannot open device/i.test(error)) {
    return {
      code: "no-permission",
      error,
      reason: "no permission to open the HID device",
      fix: "install the station-agent udev rules (docs/devices.md) and replug the UPS",
    };
  }
  if (code === "ERR_MODULE_NOT_FOUND" || /Cannot find (module|package)/.test(error)) {
    return {
      code: "not-installed",
      error,
      reason: "node-hid is not installed",
      fix: "reinstall station-agent (npm ci)",
    };
  }
  if (/NODE_MODULE_VERSION|invalid ELF|wrong ELF class|GLIBC/.test(error)) {
    return {
      code: "wrong-build",
      error,
      reason: "node-hid was built for another system",
      fix: "reinstall station-agent for this machine",
    };
  }
  return {
    code: "failed",
    error,
    reason: `node-hid failed: ${error}`,
    fix: "run `station-agent doctor` and send its output to the NOC",
  };
}

class NodeHidBackend implements HidBackend {
  constructor(
    private readonly hid: NodeHidModule,
    private readonly sysRoot: string,
  ) {}

  async list(): Promise<HidDeviceInfo[]> {
    const devices = await this.hid.devicesAsync();
    return devices
      .filter((d): d is NodeHidDevice & { path: string } => typeof d.path === "string")
      .map((d) => ({
        path: d.path,
        vendorId: d.vendorId,
        productId: d.productId,
        ...(d.serialNumber ? { serialNumber: d.serialNumber } : {}),
        ...(d.manufacturer ? { manufacturer: d.manufacturer } : {}),
        ...(d.product ? { product: d.product } : {}),
        ...(d.usagePage ? { usagePage: d.usagePage } : {}),
        ...(d.usage ? { usage: d.usage } : {}),
        ...(d.interface !== undefined ? { interface: d.interface } : {}),
      }));
  }

  async open(path: string): Promise<HidReportTransport> {
    try {
      await access(path, fsConstants.R_OK | fsConstants.W_OK);
    } catch (e) {
      const err = new Error(`cannot open ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      (err as NodeJS.ErrnoException).code = (e as NodeJS.ErrnoException).code;
      throw err;
    }
    const handle = await this.hid.HIDAsync.open(path, { nonExclusive: true });
    return new NodeHidTransport(handle);
  }

  readDescriptor(path: string): Promise<Buffer> {
    return readHidrawDescriptor(path, this.sysRoot);
  }
}

/** `/dev/hidraw3` -> the bytes of `/sys/class/hidraw/hidraw3/device/report_descriptor`. */
export function readHidrawDescriptor(devPath: string, sysRoot = "/sys"): Promise<Buffer> {
  const name = basename(devPath);
  if (!/^hidraw\d+$/.test(name)) return Promise.reject(new Error(`${devPath} is not a hidraw device`));
  return readFile(join(sysRoot, "class/hidraw", name, "device/report_descriptor"));
}

class NodeHidTransport implements HidReportTransport {
  private readonly input = new Listeners<[Buffer]>();
  private readonly closed = new Listeners<[Error | undefined]>();
  private open = true;

  constructor(private readonly handle: NodeHidHandle) {
    handle.on("data", (data) => this.input.emit(data));
    // node-hid emits 'error' ("could not read from HID device") on unplug and stops reading.
    handle.on("error", (error) => this.finish(error));
  }

  get isOpen(): boolean {
    return this.open;
  }

  async getFeatureReport(reportId: number, length: number): Promise<Buffer> {
    if (!this.open) throw new Error("HID device is closed");
    return Buffer.from(await this.handle.getFeatureReport(reportId, length));
  }

  onInputReport(listener: (report: Buffer) => void): () => void {
    return this.input.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.closed.add(listener);
  }

  async close(): Promise<void> {
    if (!this.open) return;
    try {
      await this.handle.close();
    } catch {
      // Already gone (unplugged): closing is best effort.
    }
    this.finish(undefined);
  }

  private finish(error: Error | undefined): void {
    if (!this.open) return;
    this.open = false;
    this.closed.emit(error);
    this.input.clear();
    this.closed.clear();
  }
}
