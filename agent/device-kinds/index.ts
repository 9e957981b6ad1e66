import { fingerprintKind } from "./fingerprint.js";
import { printerKind } from "./printer.js";
import type { DeviceKindModule } from "./types.js";
import { upsKind } from "./ups.js";

export type { BuiltDeviceKind, DeviceKindCore, DeviceKindModule } from "./types.js";

/**
 * Every device kind the agent knows, in start order (stop is the reverse). A new kind is one module
 * here; the composition root (agent/app-services.ts) only loops over this list.
 */
export const DEVICE_KINDS: readonly DeviceKindModule[] = [printerKind, fingerprintKind, upsKind];
