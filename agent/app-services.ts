import { join, resolve } from "node:path";
import type { Config } from "../config/schema.js";
import type { UpsDeviceConfig } from "../config/devices.js";
import { discoverDevices } from "../drivers/discovery/discover.js";
import type { AgentCore, BuiltServices } from "./app.js";
import { Inventory } from "./devices/inventory.js";
import { probePathsFor } from "./devices/match.js";
import type { PrinterConfig } from "./devices/printer-service.js";
import type { UpsService } from "./devices/ups-service.js";
import type { LinkMonitor } from "./links/monitor.js";
import type { DeviceView, LocalRoute, RetainedSink, Service } from "./ports.js";

/**
 * Part of the composition root: builds the device services the config asks for. The inventory is the
 * one writer of retained device topics; driver services only expose their states() to it.
 *
 * A driver is loaded only when the config names a device of its kind: a station without a printer never
 * holds the rasteriser, the QR encoder and harfbuzz in memory (the agent's RSS budget is 80 MB).
 */
export async function buildServices(config: Config, core: AgentCore): Promise<BuiltServices> {
  const station = config.station.id;
  const { reporter: retained, reporter: events, clock, log } = core;
  const viaInventory: RetainedSink = { ...retainedWithoutDevices(retained) };
  const services: Service[] = [];
  const routes: LocalRoute[] = [];
  const views: DeviceView[] = [];

  const printerCfgs = config.devices.filter((d): d is PrinterConfig => d.kind === "printer");
  if (printerCfgs.length > 0) {
    const [{ PrinterService }, { printerRoutes }] = await Promise.all([
      import("./devices/printer-service.js"),
      import("./api/printer-routes.js"),
    ]);
    const printers = new PrinterService({
      station,
      printers: printerCfgs,
      retained: viaInventory,
      events,
      clock,
      log,
    });
    services.push(printers);
    views.push(printers);
    routes.push(...printerRoutes(printers));
  }

  const fingerprintCfgs = config.devices.filter((d) => d.kind === "fingerprint");
  if (fingerprintCfgs.length > 0) {
    const [{ FingerprintService }, { fingerprintRoutes }] = await Promise.all([
      import("./devices/fingerprint-service.js"),
      import("./api/fingerprint-routes.js"),
    ]);
    const fingerprint = new FingerprintService({
      station,
      devices: fingerprintCfgs,
      clock,
      retained: viaInventory,
      events,
      logger: log.child({ service: "fingerprint" }),
    });
    services.push(fingerprint);
    views.push(fingerprint);
    routes.push(...fingerprintRoutes(fingerprint));
  }

  let metrics: BuiltServices["metrics"];
  const slapCfg = config.booking.slapScanner;
  if (fingerprintCfgs.length > 0 || slapCfg || config.booking.forward === "https") {
    // After the fingerprint service: a booking captures through it.
    const [{ BookingRuntime }, { LazySlapScanner }] = await Promise.all([
      import("./booking/runtime.js"),
      import("./booking/lazy-slap-scanner.js"),
    ]);
    const capturer = services.find((s) => s.name === "fingerprint") as
      import("./devices/fingerprint-service.js").FingerprintService | undefined;
    const booking = new BookingRuntime({
      config,
      clock,
      events,
      logger: log.child({ service: "booking" }),
      ...(capturer ? { capturer } : {}),
      ...(slapCfg ? { slapScanner: new LazySlapScanner(slapCfg) } : {}),
    });
    services.push(booking);
    routes.push(...booking.routes());
    metrics = () => ({ bookings: booking.stats() });
  }

  let ups: UpsService | undefined;
  const upsCfg = config.devices.find((d): d is UpsDeviceConfig => d.kind === "ups");
  if (upsCfg) {
    const [{ UpsService }, { loadHidBackend }] = await Promise.all([
      import("./devices/ups-service.js"),
      import("../drivers/transport/hid.js"),
    ]);
    ups = new UpsService({
      station,
      config: upsCfg,
      clock,
      events,
      retained,
      loadBackend: () => loadHidBackend(),
      logger: log,
    });
    services.push(ups);
    views.push(ups);
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
    views,
    logger: log,
  });
  if (ups) {
    const u = ups;
    inventory.onChange((attached) => {
      if (attached.some((d) => d.kind === "hid")) u.kick();
    });
  }
  services.unshift(inventory);

  let links: LinkMonitor | undefined;
  if (config.links.length > 0) {
    const [{ LinkMonitor }, { linkRoutes }] = await Promise.all([
      import("./links/monitor.js"),
      import("./links/routes.js"),
    ]);
    links = new LinkMonitor({
      station,
      links: config.links,
      events,
      retained,
      clock,
      logger: log.child({ service: "links" }),
      historyFile: join(resolve(config.storage.dir), "link-history.jsonl"),
    });
    services.unshift(links);
    routes.push(...linkRoutes(links));
  }
  return {
    services,
    routes,
    ...(ups ? { power: ups } : {}),
    devices: inventory,
    ...(links ? { links } : {}),
    ...(metrics ? { metrics } : {}),
  };
}

function retainedWithoutDevices(r: RetainedSink): RetainedSink {
  return { link: (n, s) => r.link(n, s), power: (s) => r.power(s), device: () => undefined };
}
