import { join, resolve } from "node:path";
import type { Config } from "../config/schema.js";
import { discoverDevices } from "../drivers/discovery/discover.js";
import type { AgentCore, BuiltServices } from "./app.js";
import { DEVICE_KINDS, type BuiltDeviceKind, type DeviceKindCore } from "./device-kinds/index.js";
import { Inventory } from "./devices/inventory.js";
import { probePathsFor } from "./devices/match.js";
import type { LinkMonitor } from "./links/monitor.js";
import type { RetainedSink } from "./ports.js";

/**
 * Part of the composition root: builds the link monitor, the inventory and every device kind the config
 * names (agent/device-kinds/). The inventory is the one writer of retained device topics; the kinds'
 * services only expose their states() to it.
 *
 * A driver is loaded only when the config names a device of its kind: a station without a printer never
 * holds the rasteriser, the QR encoder and harfbuzz in memory (the agent's RSS budget is 80 MB).
 */
export async function buildServices(config: Config, core: AgentCore): Promise<BuiltServices> {
  const station = config.station.id;
  const { reporter: retained, reporter: events, clock, log } = core;
  const kindCore: DeviceKindCore = {
    station,
    events,
    retained: retainedWithoutDevices(retained),
    clock,
    log,
    language: config.ui.language ?? "en",
  };
  const kinds: BuiltDeviceKind[] = [];
  for (const kind of DEVICE_KINDS) {
    const built = await kind.build(kindCore, config.devices);
    if (built) kinds.push(built);
  }

  const inventory = new Inventory({
    station,
    devices: config.devices,
    clock,
    events,
    retained,
    // sysfs only: serialport's list() spawns udevadm and parses the whole udev database on every poll,
    // which alone cost most of the agent's idle CPU. `station-agent devices` still asks udev.
    discover: () => discoverDevices({ probePaths: probePathsFor(config.devices) }),
    views: kinds.map((k) => k.view),
    logger: log,
  });
  for (const k of kinds) if (k.onAttached) inventory.onChange((attached) => k.onAttached!(attached));

  const booking = await buildBooking(config, core, kinds);

  let links: LinkMonitor | undefined;
  if (config.links.length > 0) {
    const { LinkMonitor } = await import("./links/monitor.js");
    links = new LinkMonitor({
      station,
      links: config.links,
      events,
      retained,
      clock,
      logger: log.child({ service: "links" }),
      historyFile: join(resolve(config.storage.dir), "link-history.jsonl"),
    });
  }
  const linkRoutes = links ? (await import("./links/routes.js")).linkRoutes(links) : [];
  const power = kinds.find((k) => k.power)?.power;
  // Start order: links (the network evidence everything else leans on), the inventory, then the device
  // kinds in DEVICE_KINDS order. The agent stops them in reverse.
  return {
    services: [
      ...(links ? [links] : []),
      inventory,
      ...kinds.map((k) => k.service),
      ...(booking ? [booking] : []),
    ],
    routes: [...kinds.flatMap((k) => k.routes), ...(booking?.routes() ?? []), ...linkRoutes],
    ...(booking ? { metrics: () => ({ bookings: booking.stats() }) } : {}),
    ...(power ? { power } : {}),
    devices: inventory,
    ...(links ? { links } : {}),
  };
}

/**
 * Arrest booking (agent/booking/): built where a scanner can take prints or a bureau is configured. It
 * captures through the fingerprint kind's service, after it in start order.
 */
async function buildBooking(
  config: Config,
  core: AgentCore,
  kinds: BuiltDeviceKind[],
): Promise<import("./booking/runtime.js").BookingRuntime | undefined> {
  const capturer = kinds.map((k) => k.service).find((s) => s.name === "fingerprint") as
    import("./devices/fingerprint-service.js").FingerprintService | undefined;
  const slapCfg = config.booking.slapScanner;
  if (!capturer && !slapCfg && config.booking.forward !== "https") return undefined;
  const [{ BookingRuntime }, { LazySlapScanner }] = await Promise.all([
    import("./booking/runtime.js"),
    import("./booking/lazy-slap-scanner.js"),
  ]);
  return new BookingRuntime({
    config,
    clock: core.clock,
    events: core.reporter,
    logger: core.log.child({ service: "booking" }),
    ...(capturer ? { capturer } : {}),
    ...(slapCfg ? { slapScanner: new LazySlapScanner(slapCfg) } : {}),
  });
}

function retainedWithoutDevices(r: RetainedSink): RetainedSink {
  return { link: (n, s) => r.link(n, s), power: (s) => r.power(s), device: () => undefined };
}
