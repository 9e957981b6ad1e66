/**
 * The UPS service: finds the USB UPS, reads it, and tells the agent about power. It publishes the
 * retained `power` state, sends power.* events on transitions, counts time on battery, and is the
 * PowerView the ledger records with each heartbeat (so a dark gap after mains loss + battery drain is
 * attributed to `power` with that evidence). A missing library, a missing UPS or an unplug makes it
 * `unavailable` with the reason, and it retries with back-off; it never throws out of start().
 */
import type { UpsDeviceConfig } from "../../config/devices.js";
import type { DeviceState } from "../../contract/device.js";
import type { PowerState } from "../../contract/power.js";
import type { HidAvailability, HidBackend, HidDeviceInfo } from "../../drivers/transport/hid.js";
import { HidUps } from "../../drivers/ups/hid-ups.js";
import type { UpsReading } from "../../drivers/ups/ups-map.js";
import { powerStatus, type PowerStatus } from "../../drivers/ups/ups-status.js";
import { quirksFor, VENDOR_QUIRKS } from "../../drivers/ups/vendor-quirks.js";
import type { Clock, DeviceView, EventSink, Logger, PowerView, RetainedSink, Service } from "../ports.js";
import { BatteryTime } from "./battery-time.js";

export interface UpsServiceDeps {
  station: string;
  config: UpsDeviceConfig;
  clock: Clock;
  events: EventSink;
  retained: RetainedSink;
  /** Default: loadHidBackend() from drivers/transport/hid.ts (lazy node-hid). */
  loadBackend: () => Promise<HidAvailability>;
  logger?: Logger;
  /** Reconnect back-off; default 5 s doubling to 5 min. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

type Phase = "starting" | "unavailable" | "absent" | "faulted" | "ready";

export class UpsService implements Service, PowerView, DeviceView {
  readonly name = "ups";
  private running = false;
  private backend: HidBackend | undefined;
  private ups: HidUps | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private phase: Phase = "starting";
  private reason: string | undefined;
  private fix: string | undefined;
  private status: PowerStatus | undefined;
  private power: PowerState | undefined;
  private device: DeviceState | undefined;
  private info: HidDeviceInfo | undefined;
  private connecting: Promise<void> | undefined;
  private silentPolls = 0;
  readonly battery = new BatteryTime();

  constructor(private readonly deps: UpsServiceDeps) {
    this.retryMs = deps.retryMinMs ?? 5000;
  }

  async start(): Promise<void> {
    this.running = true;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.pollTimer);
    clearTimeout(this.retryTimer);
    await this.connecting;
    const ups = this.ups;
    this.ups = undefined;
    await ups?.close();
  }

  /** Try to (re)connect now instead of waiting for the back-off, e.g. when inventory sees a HID device arrive. */
  kick(): void {
    if (!this.running || this.ups) return;
    clearTimeout(this.retryTimer);
    this.retryMs = this.deps.retryMinMs ?? 5000;
    void this.connect();
  }

  current(): PowerState | undefined {
    return this.power;
  }

  states(): DeviceState[] {
    return this.device ? [this.device] : [];
  }

  /** Why the UPS cannot be read, and what to do (for `doctor` and `devices`). */
  availability(): { phase: Phase; reason?: string; fix?: string } {
    return {
      phase: this.phase,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.fix ? { fix: this.fix } : {}),
    };
  }

  /** Milliseconds on battery within [startMs, endMs] (for the uptime message). */
  onBatteryMs(startMs: number, endMs: number): number {
    return this.battery.within(startMs, endMs, this.deps.clock.now());
  }

  private connect(): Promise<void> {
    this.connecting ??= this.connectOnce().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connectOnce(): Promise<void> {
    if (!this.running || this.ups) return;
    try {
      if (!this.backend) {
        const loaded = await this.deps.loadBackend();
        if (!loaded.available)
          return this.fail("unavailable", `UPS unavailable: ${loaded.reason}`, loaded.fix);
        this.backend = loaded.backend;
      }
      const info = pickUps(await this.backend.list(), this.deps.config);
      if (!info)
        return this.fail(
          "absent",
          "no USB UPS found",
          "check the UPS USB cable; run `station-agent devices`",
        );
      const descriptor = await this.backend.readDescriptor(info.path);
      const transport = await this.backend.open(info.path);
      let ups: HidUps;
      try {
        ups = HidUps.open(info, descriptor, transport);
      } catch (e) {
        await transport.close();
        throw e;
      }
      if (!this.running) return await ups.close();
      this.ups = ups;
      this.info = info;
      ups.onClose((err) => this.lost(ups, err));
      ups.onChange((reading) => this.evaluate(reading));
      const first = await ups.poll();
      if (first.failed.length === ups.map.featureReports.length && ups.map.featureReports.length > 0) {
        await ups.close();
        this.ups = undefined;
        return this.fail(
          "faulted",
          `UPS does not answer: ${first.failed[0]?.error}`,
          "replug the UPS USB cable",
        );
      }
      this.phase = "ready";
      this.reason = undefined;
      this.fix = undefined;
      this.retryMs = this.deps.retryMinMs ?? 5000;
      this.evaluate(first.reading, true);
      this.schedulePoll();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const denied = (e as NodeJS.ErrnoException).code === "EACCES";
      this.fail(
        denied ? "unavailable" : "faulted",
        denied ? `no permission to open the UPS (${msg})` : `UPS error: ${msg}`,
        denied
          ? "install the station-agent udev rules (docs/devices.md) and replug the UPS"
          : "replug the UPS USB cable",
      );
    }
  }

  private schedulePoll(): void {
    if (!this.running || !this.ups) return;
    this.pollTimer = setTimeout(() => {
      const ups = this.ups;
      if (!ups) return;
      void ups
        .poll()
        .then(async ({ failed }) => {
          if (failed.length > 0) this.deps.logger?.warn({ failed }, "UPS feature reports failed");
          // A UPS that answers nothing three polls running is wedged: drop it and reconnect.
          const silent = failed.length > 0 && failed.length === ups.map.featureReports.length;
          this.silentPolls = silent ? this.silentPolls + 1 : 0;
          if (this.silentPolls >= 3 && this.ups === ups) {
            this.ups = undefined;
            this.silentPolls = 0;
            await ups.close();
            this.fail("faulted", `UPS stopped answering: ${failed[0]?.error}`, "replug the UPS USB cable");
          }
        })
        .finally(() => this.schedulePoll());
    }, this.deps.config.pollMs);
    this.pollTimer.unref?.();
  }

  private lost(ups: HidUps, err?: Error): void {
    if (this.ups !== ups || !this.running) return;
    this.ups = undefined;
    clearTimeout(this.pollTimer);
    this.fail("absent", `UPS disconnected${err ? ` (${err.message})` : ""}`, "check the UPS USB cable");
  }

  private fail(phase: Phase, reason: string, fix: string): void {
    const changed = this.phase !== phase || this.reason !== reason;
    this.phase = phase;
    this.reason = reason;
    this.fix = fix;
    if (changed) this.deps.logger?.warn({ reason, fix }, "UPS not readable");
    const now = this.deps.clock.now();
    this.setPower(
      {
        source: "unknown",
        mainsPresent: null,
        batteryPct: null,
        runtimeS: null,
        state: "unavailable",
        reason,
      },
      now,
    );
    this.setDevice(
      phase === "faulted" ? "faulted" : phase === "absent" ? "absent" : "unavailable",
      now,
      reason,
    );
    if (!this.running) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref?.();
    this.retryMs = Math.min(this.retryMs * 2, this.deps.retryMaxMs ?? 300_000);
  }

  private evaluate(reading: UpsReading, initial = false): void {
    if (this.phase !== "ready" && !initial) return;
    const now = this.deps.clock.now();
    const prev = this.status;
    const next = powerStatus(reading, { lowBatteryPct: this.deps.config.lowBatteryPct });
    this.status = next;
    const evidence = { batteryPct: next.batteryPct, runtimeS: next.runtimeS };
    if (next.mainsPresent === false && prev?.mainsPresent !== false) {
      this.battery.begin(now);
      this.deps.events.event("power.mains-lost", evidence, now);
    }
    if (
      next.mainsPresent === false &&
      next.batteryLow &&
      !(prev?.mainsPresent === false && prev.batteryLow)
    ) {
      this.deps.events.event("power.battery-low", evidence, now);
    }
    if (next.shutdownImminent && !prev?.shutdownImminent) {
      this.deps.events.event("power.shutdown-imminent", evidence, now);
    }
    if (next.mainsPresent === true && prev?.mainsPresent === false) {
      const onBatteryS = Math.round(this.battery.end(now) / 1000);
      this.deps.events.event("power.mains-restored", { ...evidence, onBatteryS }, now);
    }
    this.setPower(
      {
        source: next.mainsPresent === true ? "mains" : next.mainsPresent === false ? "battery" : "unknown",
        mainsPresent: next.mainsPresent,
        batteryPct: next.batteryPct,
        runtimeS: next.runtimeS,
        state: next.condition,
      },
      now,
    );
    this.setDevice("ready", now, undefined, {
      power: next.condition,
      batteryPct: next.batteryPct,
      runtimeS: next.runtimeS,
      ...(typeof reading.inputVoltage === "number" ? { inputVoltage: round1(reading.inputVoltage) } : {}),
      ...(typeof reading.batteryVoltage === "number"
        ? { batteryVoltage: round1(reading.batteryVoltage) }
        : {}),
    });
  }

  private setPower(p: Omit<PowerState, "station" | "time" | "since">, now: number): void {
    const prev = this.power;
    const since = prev && prev.state === p.state ? prev.since : new Date(now).toISOString();
    const next: PowerState = { station: this.deps.station, time: new Date(now).toISOString(), since, ...p };
    if (!p.reason) delete next.reason;
    // Runtime estimates wobble every poll; republish on a state change or a meaningful move.
    const meaningful =
      !prev ||
      prev.state !== next.state ||
      prev.mainsPresent !== next.mainsPresent ||
      prev.reason !== next.reason ||
      differs(prev.batteryPct, next.batteryPct, 1) ||
      differs(prev.runtimeS, next.runtimeS, 60);
    this.power = meaningful
      ? next
      : { ...prev, time: next.time, batteryPct: next.batteryPct, runtimeS: next.runtimeS };
    if (meaningful) this.deps.retained.power(next);
  }

  private setDevice(
    health: DeviceState["health"],
    now: number,
    reason?: string,
    status?: DeviceState["status"],
  ): void {
    const c = this.deps.config;
    const time = new Date(now).toISOString();
    const info = this.info;
    const vendor = quirksFor(info?.vendorId)?.vendor;
    this.device = {
      station: this.deps.station,
      device: c.id,
      kind: "ups",
      driver: c.driver,
      health,
      since: this.device?.health === health ? this.device.since : time,
      time,
      ...(reason ? { reason } : {}),
      ...(info
        ? {
            identity: {
              path: info.path,
              vendorId: hex4(info.vendorId),
              productId: hex4(info.productId),
              ...(info.serialNumber ? { serialNumber: info.serialNumber } : {}),
              ...(info.product || vendor ? { model: [vendor, info.product].filter(Boolean).join(" ") } : {}),
            },
          }
        : {}),
      ...(status ? { status } : {}),
    };
  }
}

/** The configured UPS, or the first HID device that is a UPS (usage page 0x84, or a known UPS vendor). */
export function pickUps(devices: HidDeviceInfo[], c: UpsDeviceConfig): HidDeviceInfo | undefined {
  const matches = devices.filter(
    (d) =>
      (!c.path || d.path === c.path) &&
      (!c.vendorId || hex4(d.vendorId) === c.vendorId) &&
      (!c.productId || hex4(d.productId) === c.productId) &&
      (!c.serialNumber || d.serialNumber === c.serialNumber),
  );
  if (c.path || c.vendorId || c.productId || c.serialNumber) return matches[0];
  return (
    matches.find((d) => d.usagePage === 0x84) ??
    matches.find((d) =>
      VENDOR_QUIRKS.some((q) => q.vendorId === d.vendorId && q.productIds.includes(d.productId)),
    )
  );
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0");
}

function differs(a: number | null, b: number | null, by: number): boolean {
  if (a === null || b === null) return a !== b;
  return Math.abs(a - b) >= by;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
