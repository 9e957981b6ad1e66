// @needs mosquitto
/**
 * What `npm start` shows a newcomer: the agent on its embedded broker (aedes, MQTT 3.1.1) and station-noc
 * beside it. The station appears, answers a command over 3.1.1 (reply matched by id), and goes dark
 * when the agent stops.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StationAgent } from "../../agent/app.js";
import { createLogger } from "../../agent/log.js";
import { ConfigSchema } from "../../config/schema.js";
import type { NocApp } from "../../noc/app.js";
import { eventually } from "../support/mosquitto.js";
import { startTestNoc } from "../support/noc.js";

const quiet = createLogger("silent");

describe("station-noc beside the demo agent on the embedded broker", () => {
  const dir = mkdtempSync(join(tmpdir(), "noc-demo-"));
  let agent: StationAgent | undefined;
  let noc: NocApp;

  beforeAll(async () => {
    const config = ConfigSchema.parse({
      station: { id: "DEMO-0001", name: "Demo Police Station", district: "Demo District" },
      mqtt: { url: "embedded", embeddedPort: 0, topicRoot: "cctns/demo" },
      storage: { dir: join(dir, "agent") },
      metrics: { intervalMs: 1000 },
      ledger: { heartbeatMs: 500 },
      api: { enabled: false },
      clock: { assumeSynced: true },
      log: { level: "silent" },
    });
    agent = new StationAgent({
      config,
      configHash: "demo",
      version: "0.0.0-demo",
      log: quiet,
      diagnose: async () => ({ demo: true }),
    });
    await agent.start();
    noc = await startTestNoc({
      mqttUrl: agent.brokerUrl,
      mqttProtocol: 4,
      root: "cctns/demo",
      instance: "noc-demo",
      storage: join(dir, "noc.db"),
    });
  });

  afterAll(async () => {
    await noc?.stop();
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows the station, answers a command, and shows it dark when the agent stops", async () => {
    const row = await eventually(() => {
      const r = noc.fleet.stations.get("DEMO-0001")?.row;
      return r?.status === "up" && r.district === "Demo District" && r;
    }, 15_000);
    expect(row.name).toBe("Demo Police Station");
    const reply = await noc.commands.send("DEMO-0001", "diagnose");
    expect(reply).toMatchObject({ ok: true, result: { demo: true } });
    await agent?.stop();
    agent = undefined;
    const dark = await eventually(() => {
      const r = noc.fleet.stations.get("DEMO-0001")?.row;
      return r?.status === "down" && r;
    }, 15_000);
    expect(dark).toMatchObject({ cause: "agent" });
    expect(dark.info.offlineCause).toBe("shutdown");
  });
});
