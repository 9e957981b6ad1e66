import { deviceKind } from "./types.js";

/** Fingerprint scanners: the capture service, POST /v1/fingerprint/capture, `station-agent fingerprint`. */
export const fingerprintKind = deviceKind({
  kind: "fingerprint",
  async build(core, configs) {
    const [{ FingerprintService }, { fingerprintRoutes }] = await Promise.all([
      import("../devices/fingerprint-service.js"),
      import("../api/fingerprint-routes.js"),
    ]);
    const service = new FingerprintService({
      station: core.station,
      devices: configs,
      clock: core.clock,
      retained: core.retained,
      events: core.events,
      logger: core.log.child({ service: "fingerprint" }),
    });
    return { service, view: service, routes: fingerprintRoutes(service) };
  },
  async commands(program) {
    (await import("../cli/fingerprint.js")).registerFingerprintCommands(program);
  },
});
