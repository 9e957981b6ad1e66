/**
 * The virtual printer as a program, for the demo and for trying the CLI by hand:
 *   npx tsx drivers/printer/emulator/cli.ts --pty /tmp/printer0 --baud 19200 --png /tmp/paper.png
 *   npx tsx drivers/printer/emulator/cli.ts --tcp 9100 --width 576
 *   npx tsx drivers/printer/emulator/cli.ts --file job.bin --png job.png
 * While it runs, type on stdin: `paper out`, `paper near-end`, `paper ok`, `cover open`, `cover closed`,
 * `silent`, `answer`, `png` (write the picture now).
 */
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Command, InvalidArgumentError } from "commander";
import { DEFAULT_FONTS, firstExisting, TextRasterizer } from "../text-raster.js";
import { openPtyPair } from "./pty-pair.js";
import { printFile, serveSerial, serveTcp, type Served } from "./serve.js";
import { VirtualPrinter } from "./virtual-printer.js";

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number");
  return n;
};

export async function main(argv: string[]): Promise<void> {
  const program = new Command("printer-emulator")
    .description("virtual ESC/POS printer: parses jobs, answers DLE EOT, renders the paper to a PNG")
    .option("--pty <link>", "create a pty pair; the host side appears at <link>")
    .option("--tcp <port>", "listen on 127.0.0.1:<port> like a network printer", int)
    .option("--file <path>", "print a file of captured bytes and exit")
    .option("--baud <n>", "pace incoming bytes like a UART at this rate (pty default 19200)", int)
    .option("--width <dots>", "printable dots per line", int, 576)
    .option("--png <path>", "write the paper here after every cut and on exit", "printer-paper.png")
    .option("--paper <state>", "ok | near-end | out", "ok")
    .option("--cover-open", "start with the cover open")
    .option("--silent", "never answer status requests")
    .parse(argv);
  const o = program.opts<{
    pty?: string;
    tcp?: number;
    file?: string;
    baud?: number;
    width: number;
    png: string;
    paper: "ok" | "near-end" | "out";
    coverOpen?: boolean;
    silent?: boolean;
  }>();
  const font = await TextRasterizer.load({
    latin: firstExisting(DEFAULT_FONTS.mono) ?? firstExisting(DEFAULT_FONTS.latin),
  });
  const printer = new VirtualPrinter({
    widthDots: o.width,
    font,
    condition: { paper: o.paper, coverOpen: Boolean(o.coverOpen) },
  });
  printer.answers = !o.silent;
  const writePng = (): void => writeFileSync(o.png, printer.paper.toPng());
  printer.onOp = (op) => {
    if (op.op === "cut") setImmediate(writePng);
  };
  if (o.file) {
    await printFile(printer, o.file);
    writePng();
    console.log(`printed ${printer.bytesReceived} bytes -> ${o.png}`);
    return;
  }
  const closers: Served[] = [];
  if (o.pty) {
    const pair = await openPtyPair("printer-emu", o.pty);
    closers.push(pair, await serveSerial(printer, pair.devicePath, o.baud ?? 19200));
    console.log(`virtual printer on pty ${o.pty} (paced at ${o.baud ?? 19200} baud)`);
  }
  if (o.tcp !== undefined) {
    const served = await serveTcp(printer, { port: o.tcp, ...(o.baud ? { baud: o.baud } : {}) });
    closers.push(served);
    console.log(`virtual printer on tcp 127.0.0.1:${served.port}`);
  }
  if (closers.length === 0) throw new Error("give --pty, --tcp or --file");
  const rl = createInterface({ input: process.stdin });
  rl.on("line", (line) => {
    const c = printer.condition;
    const cmd = line.trim();
    if (cmd === "paper out") printer.condition = { ...c, paper: "out" };
    else if (cmd === "paper near-end") printer.condition = { ...c, paper: "near-end" };
    else if (cmd === "paper ok") printer.condition = { ...c, paper: "ok" };
    else if (cmd === "cover open") printer.condition = { ...c, coverOpen: true };
    else if (cmd === "cover closed") printer.condition = { ...c, coverOpen: false };
    else if (cmd === "silent") printer.answers = false;
    else if (cmd === "answer") printer.answers = true;
    else if (cmd === "png") writePng();
    else if (cmd) console.log("commands: paper out|near-end|ok, cover open|closed, silent, answer, png");
    console.log(JSON.stringify({ condition: printer.condition, answers: printer.answers }));
  });
  const stop = async (): Promise<void> => {
    rl.close();
    writePng();
    for (const c of closers.reverse()) await c.close();
    console.log(`wrote ${o.png}`);
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv).catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
