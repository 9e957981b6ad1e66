// The composition root builds what the configuration names, from one ordered list of device kinds:
// list order is start order (after the link monitor and the inventory), and a kind not configured is
// not built at all.
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../config/load.js";
import type { AgentCore } from "../../agent/app.js";
import { buildServices } from "../../agent/app-services.js";
import { DEVICE_KINDS } from "../../agent/device-kinds/index.js";
import { createLogger } from "../../agent/log.js";
import { tempDir } from "../support/agent-process.js";
import { ManualClock, RecordingEvents, RecordingRetained } from "../support/recording-sinks.js";

const DEVICES = `devices:
  - { id: fp1, kind: fingerprint, driver: r30x, port: /dev/station/fingerprint, baud: 57600 }
  - { id: printer1, kind: printer, port: /dev/station/printer, baud: 19200 }
  - { id: ups1, kind: ups }
`;

function config(devices = DEVICES) {
  const text = `station: { id: PS1 }
mqtt: { url: "mqtt://127.0.0.1:1883" }
storage: { dir: ${tempDir()} }
links:
  - { name: swan, interface: eth0, role: primary }
${devices}`;
  return parseConfigText(text, "test.yaml").config;
}

function core(): AgentCore {
  const events = new RecordingEvents();
  const retained = new RecordingRetained();
  const reporter = Object.assign(retained, { event: events.event.bind(events) });
  return { reporter, clock: new ManualClock(), log: createLogger("silent") } as unknown as AgentCore;
}

describe("device kinds", () => {
  it("are registered once each, in start order", () => {
    expect(DEVICE_KINDS.map((k) => k.kind)).toEqual(["printer", "fingerprint", "ups"]);
  });

  it("start after the link monitor and the inventory, in the list's order", async () => {
    const built = await buildServices(config(), core());
    expect(built.services.map((s) => s.name)).toEqual([
      "links",
      "inventory",
      "printers",
      "fingerprint",
      "ups",
      // Arrest booking runs on the fingerprint kinds, so it comes after them.
      "booking",
    ]);
    expect(built.routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(["POST /v1/print/slip", "POST /v1/fingerprint/capture"]),
    );
    expect(built.power?.current).toBeTypeOf("function");
  });

  it("build only the kinds the configuration names", async () => {
    const built = await buildServices(config("devices:\n  - { id: ups1, kind: ups }\n"), core());
    expect(built.services.map((s) => s.name)).toEqual(["links", "inventory", "ups"]);
    expect(built.routes.some((r) => r.path.startsWith("/v1/print"))).toBe(false);
  });
});
