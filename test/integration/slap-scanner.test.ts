/**
 * The four-finger scanner path end to end over real HTTP: the emulator serves synthetic slaps as a
 * vendor local service on a free port, HttpSlapScanner captures and segments them, the segments
 * go into Type-14 SEG with our WSQ, and NBIS an2k2txt/chkan2k read the record back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeTransaction, type An2kFingerprint } from "../../drivers/fingerprint/ansi-nist/index.js";
import { SlapEmulator } from "../../drivers/fingerprint/emulator/slap-emulator.js";
import { DeviceAbsentError, NoFingerError, ProtocolError } from "../../drivers/fingerprint/errors.js";
import { SLAP_POSITION } from "../../drivers/fingerprint/slap-scanner.js";
import { HttpSlapScanner, SlapServiceClient } from "../../drivers/fingerprint/slap-service.js";
import { encodeWsq } from "../../drivers/fingerprint/wsq/index.js";
import { an2k2txt, chkan2k, nbisMissing } from "../support/nbis-an2k.js";

let emu: SlapEmulator;
let scanner: HttpSlapScanner;

beforeAll(async () => {
  // This person's left middle finger (8) is amputated.
  emu = await SlapEmulator.start({ missing: [8], seed: 5 });
  scanner = new HttpSlapScanner(new SlapServiceClient({ baseUrl: emu.baseUrl }));
  // Drawing three slaps from synthetic fingers takes seconds per finger on a loaded machine.
}, 300_000);

afterAll(async () => {
  await emu?.stop();
});

describe("four-finger scanner over its local service", () => {
  it("identifies the device", async () => {
    const check = await scanner.check();
    expect(check.identity).toEqual({ model: "SLAP-4", serialNumber: "EMUSLAP01" });
    expect(check.status).toMatchObject({ width: 1600, height: 1500, resolutionPpi: 500 });
  });

  it("captures each slap and segments it into the right fingers", async () => {
    for (const kind of ["right-four", "left-four", "thumbs"] as const) {
      const c = await scanner.captureSlap(kind, {
        timeoutMs: 10_000,
        missing: kind === "left-four" ? [8] : [],
      });
      expect(c.image.width).toBe(1600);
      expect(c.image.height).toBe(1500);
      expect(c.resolutionPpi).toBe(500);
      const truth = emu.placed.get(kind)!;
      expect(
        c.segments.map((s) => s.position),
        kind,
      ).toEqual(truth.map((p) => p.position));
      for (const [i, p] of truth.entries()) {
        const s = c.segments[i]!;
        expect(
          p.cx > s.left && p.cx < s.right && p.cy > s.top && p.cy < s.bottom,
          `${kind} finger ${p.position}`,
        ).toBe(true);
      }
      expect(c.missing).toEqual(kind === "left-four" ? [8] : []);
    }
    expect(emu.captureRequests).toContainEqual({ Slap: "LEFT_FOUR", TimeOut: 10 });
  });

  it.skipIf(nbisMissing())("puts the segments into Type-14 SEG that NBIS reads back", async () => {
    const c = await scanner.captureSlap("left-four", { timeoutMs: 10_000, missing: [8] });
    const record: An2kFingerprint = {
      impression: 0,
      sourceAgency: "MH0120300",
      captureDate: "20261204",
      width: c.image.width,
      height: c.image.height,
      scaleUnits: 1,
      horizontalPixelScale: c.resolutionPpi,
      verticalPixelScale: c.resolutionPpi,
      compression: "WSQ20",
      bitsPerPixel: 8,
      positions: [SLAP_POSITION["left-four"]],
      segments: c.segments.map(({ position, left, right, top, bottom }) => ({
        position,
        left,
        right,
        top,
        bottom,
      })),
      amputations: c.missing.map((position) => ({ position, code: "XX" as const })),
      // Our own WSQ encoder, as the booking writes it; NBIS must read the record around it.
      image: encodeWsq({ ...c.image, ppi: c.resolutionPpi }),
    };
    const bytes = encodeTransaction(
      {
        header: {
          transactionType: "CAR",
          date: "20261204",
          destinationAgency: "MHNAFIS00",
          originatingAgency: "MH0120300",
          controlNumber: "SLAP-1",
        },
        descriptive: { fields: [{ tag: 10, value: [["CCTNS", "FIR 1/2026"]] }] },
        fingerprints: [record],
      },
      { edition: "0400" },
    );
    const { lines } = await an2k2txt(bytes);
    const seg = lines.filter((l) => l.tag === "14.021");
    const bySub = new Map<number, string[]>();
    for (const l of seg) (bySub.get(l.subfield) ?? bySub.set(l.subfield, []).get(l.subfield)!).push(l.value);
    expect([...bySub.values()]).toEqual(
      record.segments!.map((s) => [s.position, s.left, s.right, s.top, s.bottom].map(String)),
    );
    expect(lines.filter((l) => l.tag === "14.018").map((l) => l.value)).toEqual(["8", "XX"]);
    expect(lines.find((l) => l.tag === "14.013")!.value).toBe("14");
    const check = await chkan2k(bytes);
    expect(check.errors, check.output).toEqual([]);
  });

  it("turns service failures into typed errors", async () => {
    emu.timeouts = 1;
    await expect(scanner.captureSlap("thumbs", { timeoutMs: 2000 })).rejects.toBeInstanceOf(NoFingerError);
    emu.connected = false;
    await expect(scanner.check()).rejects.toBeInstanceOf(DeviceAbsentError);
    emu.connected = true;
    const wrongPath = new HttpSlapScanner(
      new SlapServiceClient({ baseUrl: emu.baseUrl.replace("/slap/", "/other/") }),
    );
    await expect(wrongPath.check()).rejects.toBeInstanceOf(ProtocolError);
    const stopped = await SlapEmulator.start({ prerender: false });
    const url = stopped.baseUrl;
    await stopped.stop();
    await expect(new HttpSlapScanner(new SlapServiceClient({ baseUrl: url })).check()).rejects.toBeInstanceOf(
      DeviceAbsentError,
    );
  });
});
