import { deviceKind } from "./types.js";

/** Slip printers (ESC/POS over USB, serial or TCP): the print service, POST /v1/print/slip, `station-agent print`. */
export const printerKind = deviceKind({
  kind: "printer",
  async build(core, configs) {
    const [{ PrinterService }, { printerRoutes }, { slipWorkerFile, WorkerSlipEncoder }] = await Promise.all([
      import("../devices/printer-service.js"),
      import("../api/printer-routes.js"),
      import("../devices/slip-worker-pool.js"),
    ]);
    // Slips are encoded in a worker that exits when idle, so the fonts do not stay in the daemon.
    const workerFile = slipWorkerFile();
    if (!workerFile)
      core.log.warn({}, "slip worker not found beside the agent; slips are encoded in the agent");
    const service = new PrinterService({
      station: core.station,
      printers: configs,
      retained: core.retained,
      events: core.events,
      clock: core.clock,
      log: core.log,
      slipLanguage: core.language,
      ...(workerFile ? { encoder: new WorkerSlipEncoder(workerFile) } : {}),
    });
    return { service, view: service, routes: printerRoutes(service) };
  },
  async commands(program) {
    (await import("../cli/print.js")).registerPrintCommands(program);
  },
});
