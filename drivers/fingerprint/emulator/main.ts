/**
 * Runs an R30x emulator on a socat pty until Ctrl-C, for trying the CLI and the agent without hardware:
 *   npx tsx drivers/fingerprint/emulator/main.ts [--dir /tmp] [--name fp] [--model r503] [--baud 57600] [--pace] [--no-finger 3] [--finger 1..10]
 * then: station-agent fingerprint capture --port <printed path> --out finger.png
 */
import { parseArgs } from "node:util";
import { tmpdir } from "node:os";
import { R30xPtyEmulator } from "./pty-emulator.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: "string", default: tmpdir() },
      name: { type: "string", default: "fingerprint-emulator" },
      model: { type: "string", default: "r30x" },
      baud: { type: "string", default: "57600" },
      pace: { type: "boolean", default: false },
      "no-finger": { type: "string", default: "0" },
      "genimg-ms": { type: "string", default: "200" },
      finger: { type: "string", default: "2" },
    },
  });
  if (values.model !== "r30x" && values.model !== "r503") throw new Error("--model must be r30x or r503");
  const emu = await R30xPtyEmulator.start({
    dir: values.dir,
    name: values.name,
    model: values.model,
    baud: Number(values.baud),
    pace: values.pace,
    genImgDelayMs: Number(values["genimg-ms"]),
  });
  emu.emulator.noFinger(Number(values["no-finger"]));
  emu.emulator.placeFinger(Number(values.finger));
  process.stdout.write(`${emu.hostPath}\n`);
  const stop = (): void => void emu.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`fingerprint emulator: ${(e as Error).message}\n`);
  process.exit(1);
});
