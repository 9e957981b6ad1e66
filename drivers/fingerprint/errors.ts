/**
 * Typed errors for every way a capture can fail. `code` is stable: the local API, the CLI and the
 * device service map it to HTTP statuses, exit codes and health without parsing messages.
 */
export type FingerprintErrorCode =
  | "no-finger"
  | "no-device"
  | "timeout"
  | "garbled"
  | "bad-checksum"
  | "truncated"
  | "module-error"
  | "protocol"
  | "busy"
  | "unsupported"
  | "aborted";

export class FingerprintError extends Error {
  constructor(
    readonly code: FingerprintErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No finger was placed on the sensor before the capture timeout. */
export class NoFingerError extends FingerprintError {
  constructor(readonly waitedMs: number) {
    super("no-finger", `no finger on the sensor within ${(waitedMs / 1000).toFixed(1)} s`);
  }
}

/** The port is missing, could not be opened, or closed under us (unplugged). */
export class DeviceAbsentError extends FingerprintError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("no-device", message, options);
  }
}

/** The module said nothing at all within the timeout. */
export class ResponseTimeoutError extends FingerprintError {
  constructor(what: string, timeoutMs: number) {
    super(
      "timeout",
      `no reply to ${what} within ${timeoutMs} ms (module powered? TX and RX crossed? right baud rate?)`,
    );
  }
}

/** Bytes arrived but never formed a packet: the classic symptom of a baud-rate mismatch. */
export class GarbledReplyError extends FingerprintError {
  constructor(what: string, garbageBytes: number, baud: number) {
    super(
      "garbled",
      `reply to ${what} was ${garbageBytes} unframed bytes at ${baud} baud: the module probably runs at another baud rate`,
    );
  }
}

export class BadChecksumError extends FingerprintError {
  constructor(what: string, expected: number, actual: number) {
    super(
      "bad-checksum",
      `bad checksum in ${what}: computed 0x${expected.toString(16).padStart(4, "0")}, packet says 0x${actual.toString(16).padStart(4, "0")}`,
    );
  }
}

/** A packet started but its remaining bytes never came. */
export class TruncatedPacketError extends FingerprintError {
  constructor(what: string, haveBytes: number) {
    super("truncated", `packet in ${what} cut short after ${haveBytes} bytes`);
  }
}

/** The module answered with a non-zero confirmation code. */
export class ModuleError extends FingerprintError {
  constructor(
    what: string,
    readonly confirmationCode: number,
    meaning: string,
  ) {
    super(
      "module-error",
      `${what}: module answered 0x${confirmationCode.toString(16).padStart(2, "0")} (${meaning})`,
    );
  }
}

/** Well-formed bytes that break the protocol's rules (wrong PID, wrong image size, bad service reply). */
export class ProtocolError extends FingerprintError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("protocol", message, options);
  }
}

export class DeviceBusyError extends FingerprintError {
  constructor(device: string) {
    super("busy", `fingerprint device ${device} is busy with another capture`);
  }
}

export class UnsupportedError extends FingerprintError {
  constructor(message: string) {
    super("unsupported", message);
  }
}

export class AbortedError extends FingerprintError {
  constructor(what: string) {
    super("aborted", `${what} was cancelled`);
  }
}
