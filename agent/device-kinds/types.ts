import type { Command } from "commander";
import type { DeviceConfig } from "../../config/devices.js";
import type { DeviceKind } from "../../contract/device.js";
import type { DiscoveredDevice } from "../../drivers/discovery/discover.js";
import type {
  Clock,
  DeviceView,
  EventSink,
  LocalRoute,
  Logger,
  PowerView,
  RetainedSink,
  Service,
} from "../ports.js";

/** What the composition root hands every device kind. */
export interface DeviceKindCore {
  station: string;
  events: EventSink;
  /** Device topics go through the inventory (their one writer); this sink drops them. */
  retained: RetainedSink;
  clock: Clock;
  log: Logger;
  /** The station's language (ui.language): the fixed labels on printed slips. */
  language: "en" | "hi";
}

/** One device kind, built for the devices of that kind the configuration names. */
export interface BuiltDeviceKind {
  service: Service;
  /** Health of its devices, which the inventory publishes. */
  view: DeviceView;
  /** Its routes on the local API. */
  routes: LocalRoute[];
  /** The UPS: the power state the ledger records with each heartbeat. */
  power?: PowerView;
  /** Called when the inventory sees devices plugged in (e.g. the UPS retries at once on a new HID device). */
  onAttached?(devices: DiscoveredDevice[]): void;
}

type ConfigOf<K extends DeviceKind> = Extract<DeviceConfig, { kind: K }>;

/**
 * A device kind as one module: its service, API routes and CLI commands. Everything heavy (drivers,
 * rasteriser, HID) is imported inside `build` and `commands`, so a station without the kind never loads it.
 */
export interface DeviceKindModule {
  kind: DeviceKind;
  /** Builds the kind for its devices in the configuration; undefined when the configuration names none. */
  build(core: DeviceKindCore, configs: readonly DeviceConfig[]): Promise<BuiltDeviceKind | undefined>;
  /** Registers its `station-agent` subcommands (loaded only when the command line may need them). */
  commands(program: Command): Promise<void>;
}

/** A kind's module from a build that sees only that kind's configured devices (at least one). */
export function deviceKind<K extends DeviceKind>(spec: {
  kind: K;
  build(core: DeviceKindCore, configs: [ConfigOf<K>, ...ConfigOf<K>[]]): Promise<BuiltDeviceKind>;
  commands(program: Command): Promise<void>;
}): DeviceKindModule {
  return {
    kind: spec.kind,
    commands: (program) => spec.commands(program),
    build: async (core, configs) => {
      const mine = configs.filter((c): c is ConfigOf<K> => c.kind === spec.kind);
      const [first, ...rest] = mine;
      return first ? spec.build(core, [first, ...rest]) : undefined;
    },
  };
}
