/**
 * Runs the four-finger scanner emulator on loopback until Ctrl-C, for trying slap bookings without
 * hardware:
 *   npx tsx drivers/fingerprint/emulator/slap-main.ts [--port 8005] [--missing 8,10] [--seed 1]
 * It prints the service URL (the `url` of a slap-service scanner).
 */
import { parseArgs } from "node:util";
import { SlapEmulator } from "./slap-emulator.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      missing: { type: "string", default: "" },
      seed: { type: "string", default: "0" },
    },
  });
  const missing = values.missing === "" ? [] : values.missing.split(",").map(Number);
  if (missing.some((p) => !Number.isInteger(p) || p < 1 || p > 10))
    throw new Error("--missing takes finger positions 1..10");
  const emu = await SlapEmulator.start({ port: Number(values.port), missing, seed: Number(values.seed) });
  process.stdout.write(`${emu.baseUrl}\n`);
  const stop = (): void => void emu.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`slap emulator: ${(e as Error).message}\n`);
  process.exit(1);
});
