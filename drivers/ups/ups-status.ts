/** From a UPS reading to the power state the agent reports. Pure; follows NUT's ups.status rules. */
import type { UpsReading } from "./ups-map.js";

export type PowerCondition = "online" | "on-battery" | "battery-low" | "shutdown-imminent";

export interface PowerStatus {
  condition: PowerCondition;
  /** null when the UPS tells neither ACPresent nor Discharging. */
  mainsPresent: boolean | null;
  batteryLow: boolean;
  shutdownImminent: boolean;
  batteryPct: number | null;
  runtimeS: number | null;
}

export interface StatusOptions {
  /** Also call the battery low at or below this charge (the UPS's own flag always counts). */
  lowBatteryPct?: number;
}

export function powerStatus(r: UpsReading, opts: StatusOptions = {}): PowerStatus {
  const flag = (v: number | boolean | undefined) => v === true;
  const num = (v: number | boolean | undefined) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const batteryPct = clampPct(num(r.remainingCapacityPct));
  const runtimeS = num(r.runtimeS);
  // ACPresent is the authority (NUT: OL / OB). Units without it say so only through Discharging.
  const mainsPresent =
    typeof r.acPresent === "boolean"
      ? r.acPresent
      : typeof r.discharging === "boolean"
        ? !r.discharging
        : null;
  const shutdownImminent = flag(r.shutdownImminent);
  // NUT usbhid-ups: LB = BelowRemainingCapacityLimit | RemainingTimeLimitExpired | ShutdownImminent.
  const batteryLow =
    flag(r.belowRemainingCapacityLimit) ||
    flag(r.remainingTimeLimitExpired) ||
    shutdownImminent ||
    (opts.lowBatteryPct !== undefined && batteryPct !== null && batteryPct <= opts.lowBatteryPct);
  let condition: PowerCondition = "online";
  if (mainsPresent === false)
    condition = shutdownImminent ? "shutdown-imminent" : batteryLow ? "battery-low" : "on-battery";
  else if (shutdownImminent) condition = "shutdown-imminent";
  return {
    condition,
    mainsPresent,
    batteryLow,
    shutdownImminent,
    batteryPct,
    runtimeS,
  };
}

function clampPct(v: number | null): number | null {
  return v === null ? null : Math.min(100, Math.max(0, v));
}
