/**
 * The agent's fingerprint service: owns every configured scanner, publishes each one's health
 * (ready / busy / faulted / absent) retained and as events, and runs captures for the local API.
 * Privacy: images and templates only ever go back to the caller; logs and events carry device, finger,
 * quality and duration, nothing else.
 */
import type { Clock, DeviceView, EventSink, Logger, RetainedSink, Service } from "../ports.js";
import type { DeviceHealth, DeviceState } from "../../contract/index.js";
import type { FingerprintDeviceConfig } from "../../config/devices.js";
import type { z } from "zod";
import {
  openScanner,
  type FingerprintScanner,
  type ScannerSettings,
} from "../../drivers/fingerprint/scanner.js";
import { buildCaptureOutputs } from "../../drivers/fingerprint/capture-output.js";
import type { FingerName } from "../../drivers/fingerprint/iso19794-4.js";
import type { QualityScore } from "../../drivers/fingerprint/quality.js";
import { FingerprintError, UnsupportedError } from "../../drivers/fingerprint/errors.js";
import { ScannerSupervisor, type HealthChange } from "./fingerprint-supervisor.js";

type FingerprintConfig = z.infer<typeof FingerprintDeviceConfig>;

export const DEFAULT_CAPTURE_TIMEOUT_MS = 15_000;

export interface FingerprintServiceDeps {
  station: string;
  devices: FingerprintConfig[];
  clock: Clock;
  retained: RetainedSink;
  events: EventSink;
  logger: Logger;
  /** How a scanner is opened; tests pass one that injects a MockBinding. */
  open?: (settings: ScannerSettings) => Promise<FingerprintScanner>;
  backoff?: { minMs: number; maxMs: number };
  healthCheckMs?: number;
}

export interface CaptureRequest {
  device?: string;
  finger: FingerName;
  timeoutMs?: number;
}

export interface CaptureResult {
  device: string;
  driver: string;
  finger: FingerName;
  quality: QualityScore;
  width: number;
  height: number;
  resolutionPpi: number;
  png: Buffer;
  iso: Buffer;
  timing: { totalMs: number; waitMs?: number; transferMs: number; encodeMs: number };
  nfiq?: number;
  vendorQuality?: number;
  isoTemplate?: Buffer;
}

export class UnknownDeviceError extends FingerprintError {
  constructor(message: string) {
    super("no-device", message);
  }
}

interface Entry {
  config: FingerprintConfig;
  supervisor: ScannerSupervisor;
  state: DeviceState | null;
}

export class FingerprintService implements Service, DeviceView {
  readonly name = "fingerprint";
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: FingerprintServiceDeps) {
    for (const config of deps.devices) {
      const entry: Entry = { config, state: null, supervisor: null as unknown as ScannerSupervisor };
      entry.supervisor = new ScannerSupervisor({
        id: config.id,
        settings: toSettings(config),
        open: deps.open ?? ((s) => openScanner(s)),
        onHealth: (change) => this.publish(entry, change),
        backoff: deps.backoff ?? { minMs: 1000, maxMs: 30_000 },
        healthCheckMs: deps.healthCheckMs ?? 30_000,
      });
      this.entries.set(config.id, entry);
    }
  }

  async start(): Promise<void> {
    for (const entry of this.entries.values()) entry.supervisor.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.supervisor.stop()));
  }

  states(): DeviceState[] {
    return [...this.entries.values()].flatMap((e) => (e.state ? [e.state] : []));
  }

  deviceIds(): string[] {
    return [...this.entries.keys()];
  }

  async capture(request: CaptureRequest): Promise<CaptureResult> {
    const entry = this.pick(request.device);
    const id = entry.config.id;
    const timeoutMs = request.timeoutMs ?? entry.config.captureTimeoutMs ?? DEFAULT_CAPTURE_TIMEOUT_MS;
    const started = performance.now();
    try {
      const raw = await entry.supervisor.capture(timeoutMs);
      const out = buildCaptureOutputs(raw, request.finger);
      const totalMs = Math.round(performance.now() - started);
      this.deps.events.event("fingerprint.capture", {
        device: id,
        finger: request.finger,
        quality: out.quality.score,
        durationMs: totalMs,
      });
      this.deps.logger.info(
        { device: id, finger: request.finger, quality: out.quality.score, durationMs: totalMs },
        "fingerprint captured",
      );
      return {
        device: id,
        driver: entry.config.driver,
        finger: request.finger,
        quality: out.quality,
        width: out.width,
        height: out.height,
        resolutionPpi: out.resolutionPpi,
        png: out.png,
        iso: out.iso,
        timing: {
          totalMs,
          ...(raw.waitMs !== undefined ? { waitMs: Math.round(raw.waitMs) } : {}),
          transferMs: Math.round(raw.transferMs),
          encodeMs: Math.round(out.encodeMs),
        },
        ...(raw.nfiq !== undefined ? { nfiq: raw.nfiq } : {}),
        ...(raw.vendorQuality !== undefined ? { vendorQuality: raw.vendorQuality } : {}),
        ...(raw.isoTemplate ? { isoTemplate: raw.isoTemplate } : {}),
      };
    } catch (error) {
      const code = error instanceof FingerprintError ? error.code : "internal";
      const durationMs = Math.round(performance.now() - started);
      if (code !== "busy") {
        this.deps.events.event("fingerprint.capture-failed", {
          device: id,
          finger: request.finger,
          error: code,
          durationMs,
        });
      }
      this.deps.logger.warn(
        { device: id, finger: request.finger, error: code, durationMs },
        `fingerprint capture failed: ${(error as Error).message}`,
      );
      throw error;
    }
  }

  /** The named device, or the first configured one that can capture. */
  private pick(device: string | undefined): Entry {
    if (device !== undefined) {
      const entry = this.entries.get(device);
      if (!entry)
        throw new UnknownDeviceError(
          `no fingerprint device "${device}" is configured (have: ${this.deviceIds().join(", ") || "none"})`,
        );
      if (!entry.supervisor.canCapture) {
        throw new UnsupportedError(
          `device "${device}" (${entry.config.driver}) is monitored for health only and cannot capture`,
        );
      }
      return entry;
    }
    const first = [...this.entries.values()].find((e) => e.supervisor.canCapture);
    if (!first) throw new UnknownDeviceError("no fingerprint scanner that can capture is configured");
    return first;
  }

  private publish(entry: Entry, change: HealthChange): void {
    const now = new Date(this.deps.clock.now()).toISOString();
    const previous = entry.state;
    const changed = !previous || previous.health !== change.health || previous.reason !== change.reason;
    const identity = change.identity ?? previous?.identity;
    const status = change.status ?? previous?.status;
    const state: DeviceState = {
      station: this.deps.station,
      device: entry.config.id,
      kind: "fingerprint",
      driver: entry.config.driver,
      health: change.health,
      since: changed ? now : previous.since,
      time: now,
      ...(change.reason ? { reason: change.reason } : {}),
      ...(identity ? { identity } : {}),
      ...(status ? { status } : {}),
    };
    entry.state = state;
    const detailsChanged =
      JSON.stringify([identity, status]) !== JSON.stringify([previous?.identity, previous?.status]);
    if (!changed && !detailsChanged) return;
    this.deps.retained.device(entry.config.id, state);
    if (changed && isTransition(previous?.health, change.health)) {
      this.deps.events.event(`device.${change.health}`, {
        device: entry.config.id,
        kind: "fingerprint",
        driver: entry.config.driver,
        ...(previous ? { previous: previous.health } : {}),
        ...(change.reason ? { reason: change.reason } : {}),
      });
      const log =
        change.health === "ready"
          ? this.deps.logger.info.bind(this.deps.logger)
          : this.deps.logger.warn.bind(this.deps.logger);
      log(
        { device: entry.config.id, health: change.health, reason: change.reason },
        `fingerprint device ${entry.config.id} is ${change.health}`,
      );
    }
  }
}

/** ready <-> busy flips with every capture: retained only, not worth an event. */
function isTransition(from: DeviceHealth | undefined, to: DeviceHealth): boolean {
  const settled = (h: DeviceHealth | undefined): DeviceHealth | undefined => (h === "busy" ? "ready" : h);
  return settled(from) !== settled(to);
}

export function toSettings(config: FingerprintConfig): ScannerSettings {
  return {
    driver: config.driver,
    baud: config.baud,
    ...(config.port !== undefined ? { port: config.port } : {}),
    ...(config.model !== undefined ? { model: config.model } : {}),
    ...(config.address !== undefined ? { address: config.address } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(config.packetSize !== undefined ? { packetSize: config.packetSize } : {}),
    ...(config.url !== undefined ? { url: config.url } : {}),
    ...(config.resolutionPpi !== undefined ? { resolutionPpi: config.resolutionPpi } : {}),
  };
}
