/** A station-noc for tests, started and ready: the set-up five NOC test files used to repeat. */
import pino from "pino";
import { defaultOptions, NocApp, type NocOptions } from "../../noc/app.js";

/**
 * Serves on a free port, logs nothing, and flushes, sweeps and closes gaps in tenths of a second so a
 * test sees a change quickly. `overrides` names the broker, topic root and storage, and any timing a
 * test is about.
 */
export async function startTestNoc(
  overrides: Partial<NocOptions> & Pick<NocOptions, "mqttUrl" | "root" | "storage">,
): Promise<NocApp> {
  const app = new NocApp(
    defaultOptions({
      httpPort: 0,
      flushMs: 50,
      livenessFlushMs: 200,
      gapGraceS: 0.5,
      sweepMs: 200,
      ...overrides,
    }),
    { log: pino({ level: "silent" }) },
  );
  await app.start();
  await app.ready;
  return app;
}
