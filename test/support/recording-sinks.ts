/** Small recording implementations of the agent ports, for service tests. */
import type { DeviceState } from "../../contract/device.js";
import type { LinkState } from "../../contract/link.js";
import type { PowerState } from "../../contract/power.js";
import type { z } from "zod";
import type { Clock, EventSink, RetainedSink } from "../../agent/ports.js";
import { EVENT_DATA, isEventType } from "../../contract/events.js";

export class ManualClock implements Clock {
  constructor(public ms = Date.parse("2026-03-01T10:00:00Z")) {}
  now(): number {
    return this.ms;
  }
  synced(): boolean {
    return true;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export class RecordingEvents implements EventSink {
  readonly events: { type: string; data: Record<string, unknown>; observedAt?: number }[] = [];
  event(type: string, data: Record<string, unknown>, observedAt?: number): void {
    // The agent sends exactly the documented fields: an extra or missing one fails the test here.
    if (!isEventType(type)) throw new Error(`event type ${type} is not in contract/events.ts`);
    (EVENT_DATA[type] as z.ZodObject).strict().parse(data);
    this.events.push({ type, data, ...(observedAt !== undefined ? { observedAt } : {}) });
  }
  types(prefix = ""): string[] {
    return this.events.map((e) => e.type).filter((t) => t.startsWith(prefix));
  }
}

export class RecordingRetained implements RetainedSink {
  readonly powers: PowerState[] = [];
  readonly devices: DeviceState[] = [];
  readonly links: LinkState[] = [];
  link(_name: string, state: LinkState): void {
    this.links.push(state);
  }
  device(_id: string, state: DeviceState): void {
    this.devices.push(state);
  }
  power(state: PowerState): void {
    this.powers.push(state);
  }
  lastDevice(id: string): DeviceState | undefined {
    return this.devices.filter((d) => d.device === id).at(-1);
  }
}
