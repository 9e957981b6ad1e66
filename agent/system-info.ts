import { readFileSync } from "node:fs";
import { uptime } from "node:os";
import type { BootInfo } from "./ledger.js";

/** The kernel's boot id changes on every boot: a different one after a gap means the station lost power. */
export function readBootInfo(now = Date.now()): BootInfo {
  let bootId: string;
  try {
    bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    bootId = "unknown";
  }
  return { bootId, bootMs: Math.round(now - uptime() * 1000) };
}
