/**
 * The virtual ESC/POS printer: parses what it receives, prints it on its Paper unless a fault stops it,
 * and answers DLE EOT with the status of the condition the test or demo sets (paper out, cover open...).
 */
import { EscPosParser, type Op } from "./parser.js";
import { Paper } from "./paper.js";
import { encodeStatus, type StatusCondition } from "../status.js";
import type { CodePageName } from "../codepage.js";
import type { TextRasterizer } from "../text-raster.js";

export interface VirtualPrinterOptions {
  widthDots: number;
  /** Font for code-page text (a monospaced one looks like the printer's font A). */
  font: TextRasterizer;
  condition?: StatusCondition;
  /** ESC t number -> table, when the model differs from Epson's numbering. */
  codePages?: Record<number, CodePageName>;
}

export class VirtualPrinter {
  readonly paper: Paper;
  private readonly parser = new EscPosParser();
  private cond: StatusCondition;
  /** When false the printer stays silent (a dead printer, a wrong baud rate). */
  answers = true;
  /** Print commands dropped because a fault stopped printing. */
  droppedOps = 0;
  bytesReceived = 0;
  statusRequests = 0;
  /** Called for every parsed command, before it is applied; tests use it to act mid-job. */
  onOp: ((op: Op, printer: VirtualPrinter) => void) | undefined;

  constructor(opts: VirtualPrinterOptions) {
    this.paper = new Paper(opts.widthDots, opts.font, opts.codePages);
    this.cond = { ...(opts.condition ?? {}) };
  }

  get condition(): StatusCondition {
    return { ...this.cond };
  }

  set condition(c: StatusCondition) {
    this.cond = { ...c };
  }

  /** Whether the mechanism can print now. */
  get canPrint(): boolean {
    const c = this.cond;
    return !(c.coverOpen || c.paper === "out" || c.offline || c.cutterError || c.unrecoverableError);
  }

  /** Bytes from the host in; status reply bytes out. */
  receive(chunk: Uint8Array): Uint8Array {
    this.bytesReceived += chunk.length;
    const replies: number[] = [];
    for (const op of this.parser.push(chunk)) {
      this.onOp?.(op, this);
      if (op.op === "status") {
        this.statusRequests++;
        if (this.answers && op.n >= 1 && op.n <= 4) replies.push(encodeStatus(this.cond)[op.n - 1]!);
        continue;
      }
      if (!this.canPrint) {
        this.droppedOps++;
        continue;
      }
      this.paper.apply(op);
    }
    return Uint8Array.from(replies);
  }
}
