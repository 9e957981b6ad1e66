/**
 * DLE EOT n real-time status replies (one byte each). Every valid reply has the fixed pattern 0xx1xx10
 * (bit0 = 0, bit1 = 1, bit4 = 1, bit7 = 0), the check python-escpos makes; anything else is noise.
 */
export interface PrinterStatusByte1 {
  drawerPin3High: boolean;
  offline: boolean;
  waitingForRecovery: boolean;
  feedButtonPressed: boolean;
}
export interface OfflineCause {
  coverOpen: boolean;
  feedingByButton: boolean;
  stoppedByPaperEnd: boolean;
  errorOccurred: boolean;
}
export interface ErrorCause {
  recoverableError: boolean;
  cutterError: boolean;
  unrecoverableError: boolean;
  autoRecoverableError: boolean;
}
export interface PaperSensor {
  nearEnd: boolean;
  paperEnd: boolean;
}

export type PaperState = "ok" | "near-end" | "out";

/** All four replies folded into what the station cares about. */
export interface PrinterStatus {
  online: boolean;
  coverOpen: boolean;
  paper: PaperState;
  cutterError: boolean;
  unrecoverableError: boolean;
  autoRecoverableError: boolean;
  /** The raw reply bytes for n = 1..4, for logs and `print status`. */
  raw: [number, number, number, number];
}

export function isValidStatusByte(b: number): boolean {
  return (b & 0b1001_0011) === 0b0001_0010;
}

function check(b: number, n: number): void {
  if (!Number.isInteger(b) || b < 0 || b > 255 || !isValidStatusByte(b)) {
    throw new RangeError(
      `DLE EOT ${n} reply 0x${b.toString(16).padStart(2, "0")} lacks the fixed bits 0xx1xx10`,
    );
  }
}

const bit = (b: number, i: number): boolean => ((b >> i) & 1) === 1;

export function decodePrinterStatus(b: number): PrinterStatusByte1 {
  check(b, 1);
  return {
    drawerPin3High: bit(b, 2),
    offline: bit(b, 3),
    waitingForRecovery: bit(b, 5),
    feedButtonPressed: bit(b, 6),
  };
}

export function decodeOfflineCause(b: number): OfflineCause {
  check(b, 2);
  return {
    coverOpen: bit(b, 2),
    feedingByButton: bit(b, 3),
    stoppedByPaperEnd: bit(b, 5),
    errorOccurred: bit(b, 6),
  };
}

export function decodeErrorCause(b: number): ErrorCause {
  check(b, 3);
  return {
    recoverableError: bit(b, 2),
    cutterError: bit(b, 3),
    unrecoverableError: bit(b, 5),
    autoRecoverableError: bit(b, 6),
  };
}

/** Bits 2+3 report near end and bits 5+6 paper end; models set both bits of a pair, some only one. */
export function decodePaperSensor(b: number): PaperSensor {
  check(b, 4);
  return { nearEnd: bit(b, 2) || bit(b, 3), paperEnd: bit(b, 5) || bit(b, 6) };
}

export function decodeStatus(replies: readonly [number, number, number, number]): PrinterStatus {
  const [r1, r2, r3, r4] = replies;
  const s1 = decodePrinterStatus(r1);
  const s2 = decodeOfflineCause(r2);
  const s3 = decodeErrorCause(r3);
  const s4 = decodePaperSensor(r4);
  return {
    online: !s1.offline,
    coverOpen: s2.coverOpen,
    paper: s4.paperEnd || s2.stoppedByPaperEnd ? "out" : s4.nearEnd ? "near-end" : "ok",
    cutterError: s3.cutterError,
    unrecoverableError: s3.unrecoverableError,
    autoRecoverableError: s3.autoRecoverableError,
    raw: [r1, r2, r3, r4],
  };
}

/** The single reason a printer cannot print now, most specific first; undefined when it can print. */
export type FaultReason = "cover-open" | "paper-out" | "cutter-error" | "unrecoverable-error" | "offline";

export function faultOf(s: PrinterStatus): FaultReason | undefined {
  if (s.coverOpen) return "cover-open";
  if (s.paper === "out") return "paper-out";
  if (s.cutterError) return "cutter-error";
  if (s.unrecoverableError) return "unrecoverable-error";
  if (!s.online) return "offline";
  return undefined;
}

/** Status replies an emulator (or a test) sends for a given condition: the inverse of decodeStatus. */
export interface StatusCondition {
  coverOpen?: boolean;
  paper?: PaperState;
  cutterError?: boolean;
  unrecoverableError?: boolean;
  offline?: boolean;
}

export function encodeStatus(c: StatusCondition): [number, number, number, number] {
  const paperOut = c.paper === "out";
  const error = Boolean(c.cutterError || c.unrecoverableError);
  const offline = Boolean(c.offline || c.coverOpen || paperOut || error);
  const r1 = 0x12 | (offline ? 0x08 : 0);
  const r2 = 0x12 | (c.coverOpen ? 0x04 : 0) | (paperOut ? 0x20 : 0) | (error ? 0x40 : 0);
  const r3 = 0x12 | (c.cutterError ? 0x08 : 0) | (c.unrecoverableError ? 0x20 : 0);
  const r4 = 0x12 | (c.paper === "near-end" || paperOut ? 0x0c : 0) | (paperOut ? 0x60 : 0);
  return [r1, r2, r3, r4];
}
