import { deviceKind } from "./types.js";

/** Slip printers (ESC/POS over USB, serial or TCP): the print service, POST /v1/print/slip, `station-agent print`. */
export const printerKind = deviceKind({
  kind: "printer",
  async build(core, configs) {
    const [{ PrinterService }, { printerRoutes }] = await Promise.all([
      import("../devices/printer-service.js"),
      import("../api/printer-routes.js"),
    ]);
    const service = new PrinterService({
      station: core.station,
      printers: configs,
      retained: core.retained,
      events: core.events,
      clock: core.clock,
      log: core.log,
      slipLanguage: core.language,
    });
    return { service, view: service, routes: printerRoutes(service) };
  },
  async commands(program) {
    (await import("../cli/print.js")).registerPrintCommands(program);
  },
});
