/** DLE EOT decoding against the bytes in protocols.md §2.4 (python-escpos masks, the hardless example). */
import { describe, expect, it } from "vitest";
import {
  decodeOfflineCause,
  decodePaperSensor,
  decodePrinterStatus,
  decodeErrorCause,
  decodeStatus,
  encodeStatus,
  faultOf,
  isValidStatusByte,
} from "../../drivers/printer/status.js";

describe("DLE EOT status bytes", () => {
  it("checks the fixed bits 0xx1xx10", () => {
    expect(isValidStatusByte(0x12)).toBe(true);
    expect(isValidStatusByte(0x7e)).toBe(true);
    expect(isValidStatusByte(0x00)).toBe(false);
    expect(isValidStatusByte(0x13)).toBe(false); // bit0 set
    expect(isValidStatusByte(0x92)).toBe(false); // bit7 set
    expect(isValidStatusByte(0x02)).toBe(false); // bit4 clear
    expect(() => decodePaperSensor(0x00)).toThrow(/fixed bits/);
  });

  it("n=1: 0x12 online, 0x1A offline (RT_MASK_OFFLINE = 26), 0x16 drawer pin 3 high", () => {
    expect(decodePrinterStatus(0x12).offline).toBe(false);
    expect(decodePrinterStatus(0x1a).offline).toBe(true);
    expect(decodePrinterStatus(0x16)).toEqual({
      drawerPin3High: true,
      offline: false,
      waitingForRecovery: false,
      feedButtonPressed: false,
    });
  });

  it("n=2: 0x16 cover open, 0x32 stopped by paper end, bit 6 error", () => {
    expect(decodeOfflineCause(0x16).coverOpen).toBe(true);
    expect(decodeOfflineCause(0x32)).toEqual({
      coverOpen: false,
      feedingByButton: false,
      stoppedByPaperEnd: true,
      errorOccurred: false,
    });
    expect(decodeOfflineCause(0x52).errorOccurred).toBe(true);
  });

  it("n=3: bit 3 autocutter, bit 5 unrecoverable, bit 6 auto-recoverable", () => {
    expect(decodeErrorCause(0x1a).cutterError).toBe(true);
    expect(decodeErrorCause(0x32).unrecoverableError).toBe(true);
    expect(decodeErrorCause(0x52).autoRecoverableError).toBe(true);
    expect(decodeErrorCause(0x12)).toEqual({
      recoverableError: false,
      cutterError: false,
      unrecoverableError: false,
      autoRecoverableError: false,
    });
  });

  it("n=4: 0x12 paper ok, 0x1E near end, 0x72 out, 0x7E near end + out", () => {
    expect(decodePaperSensor(0x12)).toEqual({ nearEnd: false, paperEnd: false });
    expect(decodePaperSensor(0x1e)).toEqual({ nearEnd: true, paperEnd: false });
    expect(decodePaperSensor(0x72)).toEqual({ nearEnd: false, paperEnd: true });
    expect(decodePaperSensor(0x7e)).toEqual({ nearEnd: true, paperEnd: true });
  });

  it("folds the hardless out-of-paper triple 0x1A 0x32 .. 0x7E into paper-out", () => {
    const s = decodeStatus([0x1a, 0x32, 0x12, 0x7e]);
    expect(s).toMatchObject({ online: false, coverOpen: false, paper: "out" });
    expect(faultOf(s)).toBe("paper-out");
    expect(faultOf(decodeStatus([0x12, 0x12, 0x12, 0x1e]))).toBeUndefined();
    expect(decodeStatus([0x12, 0x12, 0x12, 0x1e]).paper).toBe("near-end");
    expect(faultOf(decodeStatus([0x1a, 0x16, 0x12, 0x12]))).toBe("cover-open");
    expect(faultOf(decodeStatus([0x1a, 0x52, 0x1a, 0x12]))).toBe("cutter-error");
    expect(faultOf(decodeStatus([0x1a, 0x12, 0x12, 0x12]))).toBe("offline");
  });

  it("the emulator's encoder gives the documented bytes and decodes back", () => {
    expect(encodeStatus({})).toEqual([0x12, 0x12, 0x12, 0x12]);
    expect(encodeStatus({ paper: "out" })).toEqual([0x1a, 0x32, 0x12, 0x7e]);
    expect(encodeStatus({ paper: "near-end" })).toEqual([0x12, 0x12, 0x12, 0x1e]);
    expect(encodeStatus({ coverOpen: true })).toEqual([0x1a, 0x16, 0x12, 0x12]);
    for (const c of [
      { coverOpen: true },
      { paper: "out" as const },
      { cutterError: true },
      { unrecoverableError: true },
      { offline: true },
    ]) {
      const s = decodeStatus(encodeStatus(c));
      expect(faultOf(s)).toBe(
        c.coverOpen
          ? "cover-open"
          : "paper" in c
            ? "paper-out"
            : "cutterError" in c
              ? "cutter-error"
              : "unrecoverableError" in c
                ? "unrecoverable-error"
                : "offline",
      );
    }
  });
});
