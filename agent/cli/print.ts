/**
 * `station-agent print test|image FILE|slip FILE.json|status`, talking straight to a printer named by
 * --port PATH [--baud N] | --tcp HOST:PORT | --device /dev/usb/lp0 (no daemon needed, e.g. at install).
 * Exit status: 0 printed / status read, 1 the printer failed the job or did not answer, 2 bad usage or input.
 */
import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { PROFILES, type PrinterProfile } from "../../drivers/printer/document.js";
import { decodePng } from "../../drivers/printer/image-input.js";
import {
  describeTransport,
  lineBytesPerSecond,
  openPrinterStream,
  type PrinterTransportSpec,
} from "../../drivers/printer/open-stream.js";
import { EscPosPrinter } from "../../drivers/printer/printer-device.js";
import { encodeImage, encodeSlip, encodeTestPage, type EncodedJob } from "../../drivers/printer/slip.js";
import { faultOf } from "../../drivers/printer/status.js";
import { TemplateDataError } from "../../drivers/printer/templates.js";
import { TextRasterizer } from "../../drivers/printer/text-raster.js";
import { parseHostPort } from "../../drivers/transport/tcp.js";
import type { CodePageName } from "../../drivers/printer/codepage.js";
import { DEFAULT_CONFIG_PATH } from "../../config/load.js";
import { translator, type Lang, type Translate } from "../i18n/index.js";
import { slipLabelsFor } from "../devices/slip-labels.js";
import { deviceReason } from "../status-text.js";
import { LANG_OPTION, langFor } from "./lang.js";

interface TargetOptions {
  port?: string;
  baud: number;
  tcp?: string;
  device?: string;
  paper: "58mm" | "80mm";
  width?: number;
  nativeQr?: boolean;
  codePage?: CodePageName;
  timeout: number;
  json?: boolean;
  lang?: Lang;
}

class UsageError extends Error {}

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("expected a positive whole number");
  return n;
};

function withTarget(cmd: Command): Command {
  return cmd
    .option("--port <path>", "serial port, e.g. /dev/ttyUSB0")
    .option("--baud <n>", "serial baud rate", positiveInt, 19200)
    .option("--tcp <host:port>", "network printer (raw TCP, usually :9100)")
    .option("--device <path>", "USB printer class device, e.g. /dev/usb/lp0")
    .addOption(new Option("--paper <size>", "paper width").choices(["58mm", "80mm"]).default("80mm"))
    .option("--width <dots>", "printable dots per line (default 384 for 58mm, 576 for 80mm)", positiveInt)
    .option("--native-qr", "the printer supports GS ( k QR codes")
    .option("--no-native-qr", "draw QR codes as a raster image")
    .addOption(new Option("--code-page <name>").choices(["cp437", "cp850", "cp858", "cp866", "wpc1252"]))
    .option("--timeout <ms>", "how long the printer may take to answer a status request", positiveInt, 1500)
    .option("--json", "print the result as JSON")
    .addOption(LANG_OPTION());
}

/** Words for people; `--json` (read by scripts) is English and never from here. */
function wordsFor(o: TargetOptions): { t: Translate; lang: Lang } {
  const lang = o.json ? "en" : langFor(o.lang, DEFAULT_CONFIG_PATH);
  return { t: translator(lang), lang };
}

function targetOf(o: TargetOptions): PrinterTransportSpec {
  const given = [o.port, o.tcp, o.device].filter((v) => v !== undefined).length;
  if (given !== 1) throw new UsageError(wordsFor(o).t("print.err.target"));
  if (o.port) return { kind: "serial", path: o.port, baud: o.baud };
  if (o.tcp) {
    try {
      return { kind: "tcp", ...parseHostPort(o.tcp) };
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return { kind: "device", path: o.device! };
}

function profileOf(o: TargetOptions): PrinterProfile {
  const base = PROFILES[o.paper];
  return {
    ...base,
    ...(o.width ? { widthDots: o.width } : {}),
    ...(o.codePage ? { codePage: o.codePage } : {}),
    ...(o.nativeQr !== undefined ? { nativeQr: o.nativeQr } : {}),
  };
}

async function withPrinter<T>(
  o: TargetOptions,
  fn: (p: EscPosPrinter, spec: PrinterTransportSpec) => Promise<T>,
): Promise<T> {
  const spec = targetOf(o);
  const bps = lineBytesPerSecond(spec);
  const printer = new EscPosPrinter({
    openStream: () => openPrinterStream(spec),
    replyTimeoutMs: o.timeout,
    pollIntervalMs: 3_600_000,
    reconnectMinMs: 3_600_000,
    ...(bps ? { bytesPerSecond: bps } : {}),
  });
  await printer.start();
  try {
    return await fn(printer, spec);
  } finally {
    await printer.stop();
  }
}

function out(o: TargetOptions, text: string, json: Record<string, unknown>): void {
  console.log(o.json ? JSON.stringify(json) : text);
}

async function runJob(
  o: TargetOptions,
  make: (profile: PrinterProfile, r?: TextRasterizer) => EncodedJob,
): Promise<void> {
  const { t, lang } = wordsFor(o);
  const rasterizer = await TextRasterizer.load().catch(() => undefined);
  const job = make(profileOf(o), rasterizer);
  for (const why of job.skipped) console.error(t("print.skipped", { why }));
  await withPrinter(o, async (printer, spec) => {
    const r = await printer.print(job.parts);
    const where = describeTransport(spec);
    if (r.ok) {
      out(o, t("print.printed", { bytes: r.bytes, where, ms: r.durationMs }), { ...r, status: undefined });
    } else {
      const reason = deviceReason(t, lang, `${r.reason}: ${r.detail}`) ?? r.reason;
      const fix =
        r.reason === "paper-out" || r.reason === "cover-open"
          ? t(`print.fix.${r.reason}`)
          : t("print.fix.other");
      out(o, `${t("print.failed", { where, reason })}\n${t("print.whatToDo", { advice: fix })}`, {
        ...r,
        status: undefined,
      });
      process.exitCode = 1;
    }
  });
}

function handle<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A): Promise<void> => {
    const o = args.find((x): x is TargetOptions => typeof x === "object" && x !== null);
    try {
      await action(...args);
    } catch (e) {
      const usage = e instanceof UsageError || e instanceof TemplateDataError;
      console.error(wordsFor(o ?? ({} as TargetOptions)).t("cli.error", { message: (e as Error).message }));
      process.exitCode = usage ? 2 : 1;
    }
  };
}

function readInput(path: string, o: TargetOptions): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UsageError(wordsFor(o).t("print.err.cannotRead", { path, code }));
  }
}

export function registerPrintCommands(program: Command): void {
  const print = program.command("print").description("print on an ESC/POS slip printer, or read its status");

  withTarget(
    print
      .command("test")
      .description("print a test page (text, sizes, code page, dithering, QR, Devanagari)"),
  ).action(
    handle(async (o: TargetOptions) => runJob(o, (p, r) => encodeTestPage(p, new Date().toISOString(), r))),
  );

  withTarget(
    print
      .command("image")
      .argument("<file>", "PNG file")
      .description("print a picture, dithered to fit the paper"),
  ).action(
    handle(async (file: string, o: TargetOptions) => {
      let image;
      try {
        image = decodePng(readInput(file, o));
      } catch (e) {
        throw new UsageError(`${file}: ${(e as Error).message}`);
      }
      await runJob(o, (p) => encodeImage(image, p));
    }),
  );

  withTarget(
    print
      .command("slip")
      .argument("<file>", 'JSON file: {"template": "arrest-slip"|"complaint-receipt", "data": {...}}'),
  ).action(
    handle(async (file: string, o: TargetOptions) => {
      let req: { template?: unknown; data?: unknown };
      try {
        req = JSON.parse(readInput(file, o).toString("utf8")) as typeof req;
      } catch (e) {
        throw new UsageError(`${file}: ${(e as Error).message}`);
      }
      if (typeof req.template !== "string") throw new UsageError(`${file}: "template" must be a string`);
      const template = req.template;
      // The paper's language follows --lang / ui.language even when the answer is --json.
      const lang = langFor(o.lang, DEFAULT_CONFIG_PATH);
      const labels = (r?: TextRasterizer) => slipLabelsFor(lang, r);
      // Validate before touching the printer, so bad data never half-prints.
      const rasterizer = await TextRasterizer.load().catch(() => undefined);
      encodeSlip(template, req.data, profileOf(o), rasterizer, labels(rasterizer));
      await runJob(o, (p, r) => encodeSlip(template, req.data, p, r, labels(r)));
    }),
  );

  withTarget(
    print.command("status").description("ask the printer for its real-time status (DLE EOT 1-4)"),
  ).action(
    handle(async (o: TargetOptions) => {
      const { t, lang } = wordsFor(o);
      const yes = (b: boolean) => t(b ? "word.yes" : "word.no");
      await withPrinter(o, async (printer, spec) => {
        const where = describeTransport(spec);
        try {
          const s = await printer.queryStatus();
          const fault = faultOf(s);
          const raw = s.raw.map((b) => `0x${b.toString(16).padStart(2, "0")}`).join(" ");
          const lines = [
            fault
              ? t("print.status.fault", { where, fault: deviceReason(t, lang, fault) ?? fault })
              : t("print.status.ready", { where }),
            t("print.status.flags", {
              online: yes(s.online),
              cover: yes(s.coverOpen),
              paper: t(`paper.${s.paper}`),
            }),
            t("print.status.errors", { cutter: yes(s.cutterError), fatal: yes(s.unrecoverableError) }),
            t("print.status.raw", { raw }),
            ...(fault === "paper-out" || fault === "cover-open"
              ? [t("print.whatToDo", { advice: t(`print.fix.${fault}`) })]
              : []),
          ];
          out(o, lines.join("\n"), { ok: !fault, fault: fault ?? null, ...s });
          if (fault) process.exitCode = 1;
        } catch (e) {
          out(o, t("print.status.noAnswer", { where, error: (e as Error).message }), {
            ok: false,
            fault: "no-response",
            detail: (e as Error).message,
          });
          process.exitCode = 1;
        }
      });
    }),
  );
}
