/**
 * `station-agent fingerprint capture --port PATH [--baud 57600] [--timeout 15] --out finger.png [--iso finger.iso]`
 * Talks to a UART module directly (not through the daemon), for bench checks and field diagnosis.
 * Files are written only where asked, readable by the owner only.
 */
import { writePrivateFile } from "../secret-file.js";
import type { Command } from "commander";
import { openScanner, type FingerprintScanner } from "../../drivers/fingerprint/scanner.js";
import { buildCaptureOutputs } from "../../drivers/fingerprint/capture-output.js";
import { judgeQuality } from "../../drivers/fingerprint/quality-verdict.js";
import { FINGER_NAMES, type FingerName } from "../../drivers/fingerprint/iso19794-4.js";
import { FingerprintError, NoFingerError } from "../../drivers/fingerprint/errors.js";
import { DEFAULT_CONFIG_PATH } from "../../config/load.js";
import { english } from "../i18n/english.js";
import { translator, type Lang, type Translate } from "../i18n/index.js";
import { LANG_OPTION, langFor } from "./lang.js";

/** Exit statuses scripts can test for. */
export const EXIT = { ok: 0, usage: 2, noFinger: 3, noDevice: 4, protocol: 5, aborted: 130 } as const;

export interface FingerprintCaptureOptions {
  port: string;
  baud: number;
  timeoutS: number;
  out: string;
  iso?: string;
  finger: FingerName;
  model: "r30x" | "r503";
}

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** serialport binding for tests; the OS binding otherwise. */
  binding?: unknown;
  signal?: AbortSignal;
  /** The reader's words; English when absent. */
  t?: Translate;
  lang?: Lang;
}

export function registerFingerprintCommands(program: Command): void {
  const fingerprint = program.command("fingerprint").description("fingerprint scanner tools");
  fingerprint
    .command("capture")
    .description(
      "capture one finger from a UART scanner (R30x/AS608/ZFM/R503) to PNG and, optionally, an ISO record",
    )
    .requiredOption("--port <path>", "serial port, e.g. /dev/ttyUSB0 or /dev/serial/by-id/...")
    .option("--baud <rate>", "module baud rate", "57600")
    .option("--timeout <seconds>", "how long to wait for a finger", "15")
    .requiredOption("--out <file>", "PNG file to write")
    .option("--iso <file>", "also write an ISO/IEC 19794-4:2005 finger image record")
    .option("--finger <name>", `finger position for the ISO record (${FINGER_NAMES.join(", ")})`, "unknown")
    .option("--model <model>", "r30x (256x288) or r503 (192x192)", "r30x")
    .addOption(LANG_OPTION())
    .action(async (raw: Record<string, string | undefined>) => {
      const lang = langFor(raw["lang"] as Lang | undefined, DEFAULT_CONFIG_PATH);
      const abort = new AbortController();
      const onSigint = (): void => abort.abort();
      process.once("SIGINT", onSigint);
      try {
        const parsed = parseOptions(raw);
        if (typeof parsed === "string") {
          process.stderr.write(`error: ${parsed}\n`);
          process.exitCode = EXIT.usage;
          return;
        }
        process.exitCode = await runFingerprintCapture(parsed, {
          stdout: (l) => process.stdout.write(`${l}\n`),
          stderr: (l) => process.stderr.write(`${l}\n`),
          signal: abort.signal,
          t: translator(lang),
          lang,
        });
      } finally {
        process.removeListener("SIGINT", onSigint);
      }
    });
}

/** Validates commander's strings; returns a message for the user when something is off. */
export function parseOptions(raw: Record<string, string | undefined>): FingerprintCaptureOptions | string {
  const baud = Number(raw["baud"]);
  if (!Number.isInteger(baud) || baud % 9600 !== 0 || baud < 9600 || baud > 115200) {
    return `--baud ${raw["baud"]}: must be 9600 × N up to 115200 (modules default to 57600)`;
  }
  const timeoutS = Number(raw["timeout"]);
  if (!Number.isFinite(timeoutS) || timeoutS < 1 || timeoutS > 120)
    return `--timeout ${raw["timeout"]}: must be 1..120 seconds`;
  const finger = raw["finger"] ?? "unknown";
  if (!(FINGER_NAMES as readonly string[]).includes(finger))
    return `--finger ${finger}: must be one of ${FINGER_NAMES.join(", ")}`;
  const model = raw["model"] ?? "r30x";
  if (model !== "r30x" && model !== "r503") return `--model ${model}: must be r30x or r503`;
  if (!raw["port"] || !raw["out"]) return "--port and --out are required";
  return {
    port: raw["port"],
    baud,
    timeoutS,
    out: raw["out"],
    ...(raw["iso"] ? { iso: raw["iso"] } : {}),
    finger: finger as FingerName,
    model,
  };
}

export async function runFingerprintCapture(options: FingerprintCaptureOptions, io: CliIo): Promise<number> {
  const started = performance.now();
  const t = io.t ?? english;
  let scanner: FingerprintScanner | null = null;
  try {
    scanner = await openScanner(
      { driver: "r30x", port: options.port, baud: options.baud, model: options.model },
      io.binding ? { binding: io.binding } : {},
    );
    io.stderr(t("fp.place", { s: options.timeoutS }));
    const raw = await scanner.capture({
      timeoutMs: options.timeoutS * 1000,
      ...(io.signal ? { signal: io.signal } : {}),
    });
    const out = buildCaptureOutputs(raw, options.finger);
    // A fingerprint is a biometric: a new 0600 file renamed into place, so neither an existing file's
    // mode nor a symlink planted at the path (another user's trap in a shared dir) decides where it goes.
    writePrivateFile(options.out, out.png);
    if (options.iso) writePrivateFile(options.iso, out.iso);
    const q = out.quality;
    const totalS = (performance.now() - started) / 1000;
    io.stdout(
      t("fp.quality", {
        score: q.score,
        coverage: q.coverage.toFixed(2),
        contrast: q.contrast.toFixed(2),
        method: q.method,
      }),
    );
    const verdict = judgeQuality(q);
    const problem = verdict.problem && t(`quality.${verdict.problem}`);
    const reason = !problem
      ? t("quality.good")
      : verdict.accepted
        ? t("quality.couldBeBetter", { why: problem })
        : problem;
    io.stdout(t(verdict.accepted ? "fp.accepted" : "fp.retake", { reason, nfiq: verdict.nfiqEquivalent }));
    io.stdout(
      t("fp.time", {
        total: totalS.toFixed(2),
        finger: ((raw.waitMs ?? 0) / 1000).toFixed(2),
        transfer: (raw.transferMs / 1000).toFixed(2),
      }),
    );
    const image = { out: options.out, width: out.width, height: out.height };
    io.stdout(
      options.iso
        ? t("fp.wroteIso", { ...image, iso: options.iso, bytes: out.iso.length })
        : t("fp.wrote", image),
    );
    return EXIT.ok;
  } catch (error) {
    return reportFailure(error, options, io);
  } finally {
    await scanner?.close().catch(() => undefined);
  }
}

function reportFailure(error: unknown, options: FingerprintCaptureOptions, io: CliIo): number {
  const t = io.t ?? english;
  if (!(error instanceof FingerprintError)) {
    io.stderr(t("cli.error", { message: (error as Error).message ?? String(error) }));
    return 1;
  }
  switch (error.code) {
    case "no-finger": {
      const waited = error instanceof NoFingerError ? error.waitedMs / 1000 : options.timeoutS;
      io.stderr(t("fp.noFinger", { s: waited.toFixed(1) }));
      return EXIT.noFinger;
    }
    case "no-device":
      io.stderr(t("fp.noDevice", { port: options.port }));
      // The system's own words, for the technician; a Hindi reader gets the plain sentence above.
      if ((io.lang ?? "en") === "en") io.stderr(`  (${error.message})`);
      return EXIT.noDevice;
    case "aborted":
      io.stderr(t("fp.cancelled"));
      return EXIT.aborted;
    case "timeout":
    case "garbled":
      io.stderr(t("fp.wiring", { error: error.code, baud: options.baud }));
      if ((io.lang ?? "en") === "en") io.stderr(`  (${error.message})`);
      return EXIT.protocol;
    default:
      io.stderr(t("fp.protocol", { error: error.code }));
      if ((io.lang ?? "en") === "en") io.stderr(`  (${error.message})`);
      return EXIT.protocol;
  }
}
