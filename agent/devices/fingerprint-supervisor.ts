/**
 * Keeps one configured fingerprint scanner connected: opens it, checks it now and then, re-opens it with
 * back-off after an unplug or a fault (no restart needed), runs one capture at a time, and tells the
 * owner every health change. Never throws out of its timers: failures become health.
 */
import type { DeviceHealth } from "../../contract/index.js";
import type {
  FingerprintScanner,
  ScannerCapture,
  ScannerCheck,
  ScannerSettings,
} from "../../drivers/fingerprint/scanner.js";
import {
  AbortedError,
  DeviceAbsentError,
  DeviceBusyError,
  FingerprintError,
  NoFingerError,
} from "../../drivers/fingerprint/errors.js";

export interface HealthChange {
  health: DeviceHealth;
  reason?: string;
  identity?: ScannerCheck["identity"];
  status?: ScannerCheck["status"];
}

export interface SupervisorOptions {
  id: string;
  settings: ScannerSettings;
  open: (settings: ScannerSettings) => Promise<FingerprintScanner>;
  onHealth: (change: HealthChange) => void;
  backoff: { minMs: number; maxMs: number };
  healthCheckMs: number;
}

/** Raised when a capture is asked of a scanner that is not connected. */
export class DeviceUnavailableError extends FingerprintError {
  constructor(id: string, health: DeviceHealth, reason: string | undefined) {
    super("no-device", `fingerprint device ${id} is ${health}${reason ? `: ${reason}` : ""}`);
  }
}

export class ScannerSupervisor {
  private scanner: FingerprintScanner | null = null;
  private health: DeviceHealth = "absent";
  private reason: string | undefined = "not opened yet";
  private busy = false;
  private stopped = true;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | null = null;
  private captureAbort: AbortController | null = null;
  private unsubscribeLost: (() => void) | null = null;

  constructor(private readonly options: SupervisorOptions) {}

  get currentHealth(): { health: DeviceHealth; reason?: string } {
    return { health: this.health, ...(this.reason ? { reason: this.reason } : {}) };
  }

  get canCapture(): boolean {
    return this.options.settings.driver !== "rdservice";
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.checkTimer);
    this.captureAbort?.abort();
    await this.connecting?.catch(() => undefined);
    await this.drop();
  }

  /** One capture at a time: a second request while one runs gets DeviceBusyError (HTTP 409). */
  async capture(timeoutMs: number): Promise<ScannerCapture> {
    if (this.busy) throw new DeviceBusyError(this.options.id);
    const scanner = this.scanner;
    if (!scanner || this.health !== "ready")
      throw new DeviceUnavailableError(this.options.id, this.health, this.reason);
    this.busy = true;
    this.captureAbort = new AbortController();
    this.setHealth({ health: "busy" });
    try {
      const result = await scanner.capture({ timeoutMs, signal: this.captureAbort.signal });
      if (this.scanner === scanner) this.setHealth({ health: "ready" });
      return result;
    } catch (error) {
      await this.afterFailedCapture(scanner, error);
      throw error;
    } finally {
      this.busy = false;
      this.captureAbort = null;
    }
  }

  private async afterFailedCapture(scanner: FingerprintScanner, error: unknown): Promise<void> {
    if (this.scanner !== scanner) return;
    if (error instanceof NoFingerError || error instanceof AbortedError) {
      if (!this.stopped) this.setHealth({ health: "ready" });
      return;
    }
    if (error instanceof DeviceAbsentError) return this.lost(error);
    // A line glitch (bad checksum, cut-off packet) recovers by itself; a dead module does not. Ask it.
    try {
      await scanner.check();
      this.setHealth({ health: "ready" });
    } catch (checkError) {
      await this.fail(checkError);
    }
  }

  private connect(): Promise<void> {
    if (this.connecting || this.stopped) return this.connecting ?? Promise.resolve();
    this.connecting = (async () => {
      try {
        const scanner = await this.options.open(this.options.settings);
        if (this.stopped) {
          await scanner.close().catch(() => undefined);
          return;
        }
        const check = await scanner.check().catch(async (e: unknown) => {
          await scanner.close().catch(() => undefined);
          throw e;
        });
        this.scanner = scanner;
        this.attempts = 0;
        this.unsubscribeLost = scanner.onLost((e) => void this.lost(e));
        this.setHealth({ health: "ready", identity: check.identity, status: check.status });
        this.checkTimer = setInterval(() => void this.periodicCheck(), this.options.healthCheckMs);
        this.checkTimer.unref?.();
      } catch (error) {
        this.setHealth(classify(error));
        this.scheduleRetry();
      }
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async periodicCheck(): Promise<void> {
    const scanner = this.scanner;
    if (!scanner || this.busy || this.stopped) return;
    try {
      const check = await scanner.check();
      if (this.scanner === scanner && !this.busy)
        this.setHealth({ health: "ready", identity: check.identity, status: check.status });
    } catch (error) {
      if (this.scanner === scanner) await this.fail(error);
    }
  }

  private async lost(error: Error): Promise<void> {
    await this.drop();
    if (this.stopped) return;
    this.setHealth({ health: "absent", reason: error.message });
    this.attempts = 0;
    this.scheduleRetry();
  }

  private async fail(error: unknown): Promise<void> {
    await this.drop();
    if (this.stopped) return;
    this.setHealth(classify(error));
    this.scheduleRetry();
  }

  private async drop(): Promise<void> {
    clearInterval(this.checkTimer);
    this.unsubscribeLost?.();
    this.unsubscribeLost = null;
    const scanner = this.scanner;
    this.scanner = null;
    await scanner?.close().catch(() => undefined);
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const { minMs, maxMs } = this.options.backoff;
    const delay = Math.min(maxMs, minMs * 2 ** Math.min(this.attempts, 20));
    this.attempts++;
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref?.();
  }

  private setHealth(change: HealthChange): void {
    this.health = change.health;
    this.reason = change.reason;
    this.options.onHealth(change);
  }
}

function classify(error: unknown): HealthChange {
  const message = error instanceof Error ? error.message : String(error);
  return { health: error instanceof DeviceAbsentError ? "absent" : "faulted", reason: message };
}
