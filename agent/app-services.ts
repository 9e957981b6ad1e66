import type { Config } from "../config/schema.js";
import type { UpsDeviceConfig } from "../config/devices.js";
import { discoverDevices } from "../drivers/discovery/discover.js";
import { loadHidBackend } from "../drivers/transport/hid.js";
import { fingerprintRoutes } from "./api/fingerprint-routes.js";
import { printerRoutes } from "./api/printer-routes.js";
import { FingerprintService } from "./devices/fingerprint-service.js";
import type { AgentCore } from "./app.js";
import { Inventory } from "./devices/inventory.js";
import { probePathsFor } from "./devices/match.js";
import { PrinterService, type PrinterConfig } from "./devices/printer-service.js";
import { UpsService } from "./devices/ups-service.js";
import { LinkMonitor } from "./links/monitor.js";
import { linkRoutes } from "./links/routes.js";
import type { DeviceView, LinkView, LocalRoute, PowerView, RetainedSink, Service } from "./ports.js";
import { join, resolve } from "node:path";

/**
 * Part of the composition root: builds the device services the config asks for. The inventory is the
 * one writer of retained device topics; driver services only expose their states() to it.
 */
export function buildServices(
  config: Config,
  core: AgentCore,
): { services: Service[]; routes: LocalRoute[]; power?: PowerView; devices: DeviceView; links?: LinkView } {
  const station = config.station.id;
  const { reporter: retained, reporter: events, clock, log } = core;
  const viaInventory: RetainedSink = { ...retainedWithoutDevices(retained) };
  const services: Service[] = [];
  const routes: LocalRoute[] = [];
  const views: DeviceView[] = [];

  const printerCfgs = config.devices.filter((d): d is PrinterConfig => d.kind === "printer");
  if (printerCfgs.length > 0) {
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

  let ups: UpsService | undefined;
  const upsCfg = config.devices.find((d): d is UpsDeviceConfig => d.kind === "ups");
  if (upsCfg) {
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
  };
}

function retainedWithoutDevices(r: RetainedSink): RetainedSink {
  return { link: (n, s) => r.link(n, s), power: (s) => r.power(s), device: () => undefined };
}
