import { deviceKind } from "./types.js";

/** The USB HID UPS: mains, battery and runtime on the power topic, and the power state for the ledger. */
export const upsKind = deviceKind({
  kind: "ups",
  // One UPS powers the PC: the first configured one is used.
  async build(core, [config]) {
    const [{ UpsService }, { loadHidBackend }] = await Promise.all([
      import("../devices/ups-service.js"),
      import("../../drivers/transport/hid.js"),
    ]);
    const service = new UpsService({
      station: core.station,
      config,
      clock: core.clock,
      events: core.events,
      retained: core.retained,
      loadBackend: () => loadHidBackend(),
      logger: core.log,
    });
    return {
      service,
      view: service,
      routes: [],
      power: service,
      onAttached: (devices) => {
        if (devices.some((d) => d.kind === "hid")) service.kick();
      },
    };
  },
  async commands() {
    // The UPS has no commands of its own: `station-agent devices` and `doctor` cover it.
  },
});
