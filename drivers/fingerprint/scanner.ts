/**
 * One interface over the three kinds of fingerprint backends, so the agent's device service does not
 * care which it has: a UART module (R30x/R503), Mantra's MFS100 client service, or a UIDAI RD Service
 * (health only). `openScanner()` builds and connects one from plain settings.
 */
import { SerialByteStream } from "../transport/serial.js";
import { R30xScanner, type R30xModel } from "./r30x-device.js";
import { LedColor, LedControl, type SystemParameters } from "./r30x-codec.js";
import { Mfs100Client } from "./mfs100-client.js";
import { probeRdService, type RdProbeOptions } from "./rdservice-probe.js";
import type { GrayImage } from "./image.js";
import { DeviceAbsentError, FingerprintError, ProtocolError, UnsupportedError } from "./errors.js";

export type ScannerDriver = "r30x" | "mfs100" | "rdservice";

export interface ScannerCapture {
  image: GrayImage;
  resolutionPpi: number;
  /** Waiting for the finger, when the backend tells the two apart. */
  waitMs?: number;
  /** Getting the image to the host (UpImage on UART; the HTTP round trip otherwise). */
  transferMs: number;
  wireBytes?: number;
  vendorQuality?: number;
  nfiq?: number;
  isoTemplate?: Buffer;
}

export type ScannerStatus = Record<string, string | number | boolean | null>;

export interface ScannerCheck {
  identity: { path?: string; model?: string; serialNumber?: string; firmware?: string };
  status: ScannerStatus;
}

export interface FingerprintScanner {
  readonly driver: ScannerDriver;
  readonly canCapture: boolean;
  /** A cheap round trip that proves the scanner answers; throws a FingerprintError when it does not. */
  check(): Promise<ScannerCheck>;
  capture(options: { timeoutMs: number; signal?: AbortSignal }): Promise<ScannerCapture>;
  /** Called when the connection is lost for good (serial unplug). HTTP backends never call it. */
  onLost(listener: (error: Error) => void): () => void;
  close(): Promise<void>;
}

export interface ScannerSettings {
  driver: ScannerDriver;
  /** Serial device path (r30x). */
  port?: string;
  baud?: number;
  model?: R30xModel;
  address?: number;
  password?: number;
  /** Set the module's packet size at open when it differs (stored in its flash). */
  packetSize?: 32 | 64 | 128 | 256;
  /** Service base URL (mfs100) or `http://host:port` to pin one RD Service port (rdservice). */
  url?: string;
  resolutionPpi?: number;
  responseTimeoutMs?: number;
  /** How often an open serial port checks that its device is still plugged in; default 1000 ms. */
  presenceCheckMs?: number;
}

export interface OpenDeps {
  /** serialport binding for tests (MockBinding); the OS binding otherwise. */
  binding?: unknown;
}

export async function openScanner(
  settings: ScannerSettings,
  deps: OpenDeps = {},
): Promise<FingerprintScanner> {
  switch (settings.driver) {
    case "r30x":
      return openR30x(settings, deps);
    case "mfs100": {
      const scanner = new Mfs100Scanner(new Mfs100Client(settings.url ? { baseUrl: settings.url } : {}));
      await scanner.check();
      return scanner;
    }
    case "rdservice": {
      const scanner = new RdServiceScanner(rdProbeOptions(settings.url));
      await scanner.check();
      return scanner;
    }
  }
}

async function openR30x(settings: ScannerSettings, deps: OpenDeps): Promise<FingerprintScanner> {
  if (!settings.port) throw new FingerprintError("no-device", "r30x scanner needs a serial port path");
  const baud = settings.baud ?? 57600;
  let stream: SerialByteStream;
  try {
    stream = await SerialByteStream.open({
      path: settings.port,
      baudRate: baud,
      presenceCheckMs: settings.presenceCheckMs ?? 1000,
      ...(deps.binding ? { binding: deps.binding } : {}),
    });
  } catch (e) {
    const message = (e as Error).message;
    if (/no such file|does not exist|ENOENT/i.test(message))
      throw new DeviceAbsentError(`${settings.port} is not there (unplugged?)`, { cause: e });
    if (/lock|busy|temporarily unavailable/i.test(message)) {
      throw new FingerprintError("no-device", `${settings.port} is in use by another program (${message})`, {
        cause: e,
      });
    }
    throw new FingerprintError("no-device", `cannot open ${settings.port}: ${message}`, { cause: e });
  }
  const device = new R30xScanner(stream, {
    baud,
    ...(settings.model ? { model: settings.model } : {}),
    ...(settings.address !== undefined ? { address: settings.address } : {}),
    ...(settings.password !== undefined ? { password: settings.password } : {}),
    ...(settings.responseTimeoutMs !== undefined ? { responseTimeoutMs: settings.responseTimeoutMs } : {}),
  });
  try {
    const params = await device.connect();
    if (settings.packetSize && params.packetSize !== settings.packetSize)
      await device.setPacketSize(settings.packetSize);
  } catch (e) {
    await device.close().catch(() => undefined);
    throw e;
  }
  return new R30xBackend(device, settings.port, settings.resolutionPpi ?? 500);
}

export class R30xBackend implements FingerprintScanner {
  readonly driver = "r30x" as const;
  readonly canCapture = true;

  constructor(
    readonly device: R30xScanner,
    private readonly path: string,
    private readonly resolutionPpi: number,
  ) {}

  async check(): Promise<ScannerCheck> {
    const p: SystemParameters = await this.device.readSystemParameters();
    return {
      identity: { path: this.path, model: this.device.model },
      status: {
        baud: p.baud,
        packetSize: p.packetSize,
        capacity: p.capacity,
        securityLevel: p.securityLevel,
      },
    };
  }

  async capture(options: { timeoutMs: number; signal?: AbortSignal }): Promise<ScannerCapture> {
    await this.led(LedControl.Breathing, LedColor.Blue);
    try {
      const c = await this.device.capture(options);
      await this.led(LedControl.On, LedColor.Green);
      return {
        image: c.image,
        resolutionPpi: this.resolutionPpi,
        waitMs: c.waitMs,
        transferMs: c.transferMs,
        wireBytes: c.wireBytes,
      };
    } catch (e) {
      if (this.device.isOpen) await this.led(LedControl.Flashing, LedColor.Red, 3);
      throw e;
    }
  }

  onLost(listener: (error: Error) => void): () => void {
    return this.device.onClose((error) => listener(error ?? new DeviceAbsentError("serial port closed")));
  }

  close(): Promise<void> {
    return this.device.close();
  }

  /** The R503 ring tells the officer what to do; a failed LED command never fails a capture. */
  private async led(control: LedControl, color: LedColor, count = 0): Promise<void> {
    if (this.device.model !== "r503") return;
    await this.device.setLed(control, color, 0x80, count).catch(() => undefined);
  }
}

export class Mfs100Scanner implements FingerprintScanner {
  readonly driver = "mfs100" as const;
  readonly canCapture = true;
  constructor(private readonly client: Mfs100Client) {}

  async check(): Promise<ScannerCheck> {
    const info = await this.client.info();
    return {
      identity: {
        ...(info.model ? { model: info.model } : {}),
        ...(info.serialNumber ? { serialNumber: info.serialNumber } : {}),
      },
      status: { make: info.make ?? null },
    };
  }

  async capture(options: { timeoutMs: number; signal?: AbortSignal }): Promise<ScannerCapture> {
    const c = await this.client.capture(options);
    return {
      image: c.image,
      resolutionPpi: c.resolutionPpi,
      transferMs: c.transferMs,
      ...(c.vendorQuality !== undefined ? { vendorQuality: c.vendorQuality } : {}),
      ...(c.nfiq !== undefined ? { nfiq: c.nfiq } : {}),
      ...(c.isoTemplate ? { isoTemplate: c.isoTemplate } : {}),
    };
  }

  onLost(): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {}
}

export class RdServiceScanner implements FingerprintScanner {
  readonly driver = "rdservice" as const;
  readonly canCapture = false;
  constructor(private readonly probe: RdProbeOptions) {}

  async check(): Promise<ScannerCheck> {
    const found = await probeRdService(this.probe);
    if (!found) throw new DeviceAbsentError("no RD Service answers on 127.0.0.1:11100-11120");
    const d = found.device;
    const identity = {
      ...(d?.mi ? { model: d.mi } : {}),
      ...(d?.serialNumber ? { serialNumber: d.serialNumber } : {}),
      ...(d?.rdsVer ? { firmware: `${d.rdsId ?? "rds"} ${d.rdsVer}` } : {}),
    };
    if (found.status !== "READY")
      throw new ProtocolError(`RD Service on port ${found.port} reports ${found.status}`);
    return { identity, status: { rdStatus: found.status, rdPort: found.port, dpId: d?.dpId ?? null } };
  }

  capture(): Promise<ScannerCapture> {
    return Promise.reject(
      new UnsupportedError("RD Service captures are encrypted for UIDAI: use an r30x or mfs100 scanner"),
    );
  }

  onLost(): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {}
}

function rdProbeOptions(url: string | undefined): RdProbeOptions {
  if (!url) return {};
  const u = new URL(url);
  return { host: u.hostname, ports: [Number(u.port || 11100)] };
}
