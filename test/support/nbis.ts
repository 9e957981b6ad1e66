/**
 * NBIS-backed suites skip with the reason when the tools are missing, except under CI=true, where a
 * missing oracle is a failure.
 */
import { describe, it } from "vitest";
import { NBIS_BIN, missingNbisTools } from "./nbis-tools.js";

export * from "./nbis-tools.js";

/** describe() when every tool is present; a skipped suite saying why, or under CI a failing one. */
export function describeWithNbis(name: string, tools: readonly string[], body: () => void): void {
  const missing = missingNbisTools(tools);
  if (missing.length === 0) {
    describe(name, body);
  } else if (process.env.CI === "true") {
    describe(name, () => {
      it("has the NBIS oracle tools", () => {
        throw new Error(`CI=true but NBIS tools ${missing.join(", ")} are missing from ${NBIS_BIN}`);
      });
    });
  } else {
    console.warn(
      `${name}: skipped, NBIS tools ${missing.join(", ")} not found in ${NBIS_BIN} (set NBIS_BIN)`,
    );
    describe.skip(`${name} [skipped: NBIS tools ${missing.join(", ")} not found in ${NBIS_BIN}]`, body);
  }
}
