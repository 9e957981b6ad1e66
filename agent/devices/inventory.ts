/**
 * The device inventory: what is plugged in, which configured device each one is, and what changed.
 * It polls discovery (hot-plug without udev), sends `device.attached` / `device.detached` events, and is
 * the one writer of the retained `device/<id>` topics: a configured device that is missing is `absent`;
 * one that is present carries its driver service's health (from the DeviceViews it is given).
 */
import type { DeviceConfig } from "../../config/devices.js";
import type { DeviceState } from "../../contract/device.js";
import type { EventData } from "../../contract/events.js";
import type { DiscoveredDevice, DiscoveryResult } from "../../drivers/discovery/discover.js";
import type { Clock, DeviceView, EventSink, Logger, RetainedSink, Service } from "../ports.js";
import { deviceKey, isLocallyAttached, matchDevices } from "./match.js";

export interface InventoryDeps {
  station: string;
  devices: readonly DeviceConfig[];
  clock: Clock;
  events: EventSink;
  retained: RetainedSink;
  /** e.g. () => discoverDevices({ listSerialPorts, probePaths: probePathsFor(config.devices) }) */
  discover: () => Promise<DiscoveryResult>;
  /** Driver services' own view of their devices (ready/busy/faulted); inventory adds presence. */
  views?: readonly DeviceView[];
  pollMs?: number;
  logger?: Logger;
}

export interface ConfiguredDeviceStatus {
  config: DeviceConfig;
  /** The plugged-in device matched to it; undefined when absent or not locally attached. */
  attached?: DiscoveredDevice;
  state: DeviceState;
}

export interface InventorySnapshot {
  configured: ConfiguredDeviceStatus[];
  /** Devices seen that no config entry claims. */
  unconfigured: DiscoveredDevice[];
  notes: string[];
  scannedAt?: number;
}

export class Inventory implements Service, DeviceView {
  readonly name = "inventory";
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private scanning: Promise<void> | undefined;
  private present = new Map<string, DiscoveredDevice>();
  private published = new Map<string, string>();
  private snap: InventorySnapshot = { configured: [], unconfigured: [], notes: [] };
  private baseline = true;
  private readonly changeListeners = new Set<
    (attached: DiscoveredDevice[], detached: DiscoveredDevice[]) => void
  >();

  constructor(private readonly deps: InventoryDeps) {}

  async start(): Promise<void> {
    this.running = true;
    await this.scan();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.scanning;
  }

  /** One discovery pass; safe to call at any time (concurrent calls share one pass). */
  scan(): Promise<void> {
    this.scanning ??= this.scanOnce().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  /** Called after a scan that saw devices arrive or leave (e.g. to kick the UPS service on a new HID device). */
  onChange(listener: (attached: DiscoveredDevice[], detached: DiscoveredDevice[]) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  snapshot(): InventorySnapshot {
    return this.snap;
  }

  states(): DeviceState[] {
    return this.snap.configured.map((c) => c.state);
  }

  /** For the birth message. */
  summary(): { device: string; kind: DeviceConfig["kind"]; health: DeviceState["health"] }[] {
    return this.snap.configured.map((c) => ({
      device: c.config.id,
      kind: c.config.kind,
      health: c.state.health,
    }));
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.scan().finally(() => this.schedule());
    }, this.deps.pollMs ?? 5000);
    this.timer.unref?.();
  }

  private async scanOnce(): Promise<void> {
    let result: DiscoveryResult;
    try {
      result = await this.deps.discover();
    } catch (e) {
      // Discovery failing is reported and retried on the next poll; the last picture stays.
      this.deps.logger?.warn({ err: e }, "device discovery failed");
      return;
    }
    const now = this.deps.clock.now();
    this.noticeChanges(result.devices, now);
    const matches = matchDevices(this.deps.devices, result.devices);
    const claimed = new Set([...matches.values()].filter((d): d is DiscoveredDevice => d !== undefined));
    const configured = this.deps.devices.map((config) => {
      const attached = matches.get(config.id);
      return { config, ...(attached ? { attached } : {}), state: this.stateFor(config, attached, now) };
    });
    this.snap = {
      configured,
      unconfigured: result.devices.filter((d) => !claimed.has(d)),
      notes: result.notes,
      scannedAt: now,
    };
    for (const c of configured) this.publish(c.state);
  }

  private noticeChanges(devices: DiscoveredDevice[], now: number): void {
    const next = new Map(devices.map((d) => [deviceKey(d), d]));
    if (!this.baseline) {
      const matches = matchDevices(this.deps.devices, devices);
      const prevMatches = matchDevices(this.deps.devices, [...this.present.values()]);
      const owner = (d: DiscoveredDevice, m: Map<string, DiscoveredDevice | undefined>) =>
        [...m.entries()].find(([, v]) => v === d)?.[0] ?? null;
      const attached = [...next].filter(([key]) => !this.present.has(key)).map(([, d]) => d);
      const detached = [...this.present].filter(([key]) => !next.has(key)).map(([, d]) => d);
      for (const d of attached)
        this.deps.events.event("device.attached", describe(d, owner(d, matches)), now);
      for (const d of detached)
        this.deps.events.event("device.detached", describe(d, owner(d, prevMatches)), now);
      if (attached.length + detached.length > 0) {
        for (const l of [...this.changeListeners]) {
          try {
            l(attached, detached);
          } catch (e) {
            this.deps.logger?.warn({ err: e }, "inventory change listener failed");
          }
        }
      }
    }
    this.baseline = false;
    this.present = next;
  }

  private stateFor(config: DeviceConfig, attached: DiscoveredDevice | undefined, now: number): DeviceState {
    const time = new Date(now).toISOString();
    const fromDriver = this.deps.views?.flatMap((v) => v.states()).find((s) => s.device === config.id);
    const base = { station: this.deps.station, device: config.id, kind: config.kind, driver: config.driver };
    const prevSince = (health: string) => {
      const prev = this.snap.configured.find((c) => c.config.id === config.id)?.state;
      return prev && prev.health === health ? prev.since : time;
    };
    if (!isLocallyAttached(config)) {
      return (
        fromDriver ?? {
          ...base,
          health: "unavailable",
          since: prevSince("unavailable"),
          time,
          reason: "no local device to watch",
        }
      );
    }
    if (!attached) {
      return {
        ...base,
        health: "absent",
        since: prevSince("absent"),
        time,
        reason: "not plugged in, or not found where the config says",
        ...(fromDriver?.identity ? { identity: fromDriver.identity } : {}),
      };
    }
    const identity = {
      ...fromDriver?.identity,
      path: attached.path,
      ...(attached.vendorId ? { vendorId: attached.vendorId } : {}),
      ...(attached.productId ? { productId: attached.productId } : {}),
      ...(attached.serialNumber ? { serialNumber: attached.serialNumber } : {}),
      ...(!fromDriver?.identity?.model && attached.product ? { model: attached.product } : {}),
    };
    if (fromDriver) return { ...fromDriver, identity, time };
    if (!attached.accessible) {
      return {
        ...base,
        health: "unavailable",
        since: prevSince("unavailable"),
        time,
        identity,
        reason: "no permission to open it",
      };
    }
    return { ...base, health: "ready", since: prevSince("ready"), time, identity };
  }

  private publish(state: DeviceState): void {
    const { time: _time, ...stable } = state;
    const fingerprint = JSON.stringify(stable);
    if (this.published.get(state.device) === fingerprint) return;
    this.published.set(state.device, fingerprint);
    this.deps.retained.device(state.device, state);
  }
}

function describe(d: DiscoveredDevice, device: string | null): EventData["device.attached"] {
  return {
    device,
    configured: device !== null,
    kind: d.kind,
    path: d.path,
    ...(d.vendorId ? { vendorId: d.vendorId } : {}),
    ...(d.productId ? { productId: d.productId } : {}),
    ...(d.serialNumber ? { serialNumber: d.serialNumber } : {}),
    ...(d.product ? { product: d.product } : {}),
  };
}
