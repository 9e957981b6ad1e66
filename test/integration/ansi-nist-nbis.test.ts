/**
 * Our ANSI/NIST-ITL files against NIST's own reader and checker (NBIS 5.0): chkan2k finds no
 * error in a 0400 file, an2k2txt reads back every field we wrote in every edition, and our decoder
 * reads what txt2an2k builds. Images are real WSQ from NBIS cwsq.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildType2,
  decodeTransaction,
  encodeTransaction,
  type An2kEdition,
  type An2kFace,
  type An2kFingerprint,
  type An2kTransaction,
} from "../../drivers/fingerprint/ansi-nist/index.js";
import { generateRidgeImage } from "../../drivers/fingerprint/emulator/ridge-image.js";
import {
  an2k2txt,
  chkan2k,
  cwsq,
  NBIS_DIR,
  nbisMissing,
  txt2an2k,
  type An2kTextLine,
} from "../support/nbis-an2k.js";

const missing = nbisMissing(["an2k2txt", "txt2an2k", "chkan2k", "cwsq", "cjpegl"]);
const ORI = "MH0120300";

function fingerRecord(
  positions: number[],
  image: Uint8Array,
  width: number,
  height: number,
): An2kFingerprint {
  return {
    impression: 0,
    sourceAgency: ORI,
    captureDate: "20261204",
    width,
    height,
    scaleUnits: 1,
    horizontalPixelScale: 500,
    verticalPixelScale: 500,
    compression: "WSQ20",
    bitsPerPixel: 8,
    positions,
    image,
  };
}

function header(): An2kTransaction["header"] {
  return {
    transactionType: "CAR",
    date: "20261204",
    priority: 2,
    destinationAgency: "MHNAFIS00",
    originatingAgency: ORI,
    controlNumber: "BK-20261204-0001",
  };
}

const descriptive = buildType2({
  reference: "FIR 123/2026",
  name: "रमेश कुमार",
  nameLatin: "Ramesh Kumar",
  relation: "father",
  relativeName: "सुरेश कुमार",
  sex: "male",
  dateOfBirth: "1990-01-02",
  arrestingOfficer: "SI A. Patil 4411",
});

let tenprint: An2kTransaction;
let slaps: An2kTransaction;
let withFace: An2kTransaction;

describe.skipIf(missing)(`ANSI/NIST-ITL against NBIS${missing ? ` (skipped: ${missing})` : ""}`, () => {
  beforeAll(async () => {
    // Ten distinct fingers; the left little finger (10) is amputated: its record carries AMP XX and
    // a blank placeholder image, as live-scan stations send it.
    const fingers: An2kFingerprint[] = [];
    for (let position = 1; position <= 10; position++) {
      if (position === 10) {
        const blank = new Uint8Array(256 * 256).fill(255);
        fingers.push({
          ...fingerRecord([10], cwsq({ pixels: blank, width: 256, height: 256 }, 0.75), 256, 256),
          amputations: [{ position: 10, code: "XX" }],
          nistQuality: [{ position: 10, score: 254 }],
        });
        continue;
      }
      const img = generateRidgeImage({ width: 400, height: 500, seed: position * 17 });
      fingers.push({
        ...fingerRecord([position], cwsq(img, 0.75), 400, 500),
        nistQuality: [{ position, score: 1 + (position % 5) }],
        monitoringMode: "ASSISTED",
      });
    }
    tenprint = { header: header(), descriptive, fingerprints: fingers };

    // A right-four slap, 1600×1500, four fingers pasted side by side; the little finger bandaged.
    const slap = new Uint8Array(1600 * 1500).fill(255);
    const boxes = [0, 1, 2].map((i) => ({ position: 2 + i, left: 80 + i * 400, top: 300 + (i % 2) * 60 }));
    for (const [i, b] of boxes.entries()) {
      const f = generateRidgeImage({ width: 340, height: 460, seed: 100 + i });
      for (let y = 0; y < 460; y++)
        slap.set(f.pixels.subarray(y * 340, (y + 1) * 340), (b.top + y) * 1600 + b.left);
    }
    slaps = {
      header: header(),
      descriptive,
      fingerprints: [
        {
          ...fingerRecord([13], cwsq({ pixels: slap, width: 1600, height: 1500 }, 0.75), 1600, 1500),
          segments: boxes.map((b) => ({
            position: b.position,
            left: b.left,
            right: b.left + 339,
            top: b.top,
            bottom: b.top + 459,
          })),
          amputations: [{ position: 5, code: "UP" }],
          nistQuality: [
            { position: 2, score: 2 },
            { position: 3, score: 2 },
            { position: 4, score: 3 },
          ],
        },
      ],
    };

    withFace = {
      header: header(),
      descriptive,
      fingerprints: [tenprint.fingerprints[0]!],
      faces: [await lossless(480, 600)],
    };
  });

  it("chkan2k finds no error in any 0400 record we write", async () => {
    for (const [name, tx] of Object.entries({ tenprint, slaps, withFace })) {
      const r = await chkan2k(encodeTransaction(tx, { edition: "0400" }));
      expect(r.errors, `${name}:\n${r.output}`).toEqual([]);
      // Expected notes only: Type-2 is user-defined, and chkan2k's "auto" image-set guess counts a
      // flat ten-print as a segmented set that should also carry the slaps.
      const unexpected = r.warnings.filter(
        (w) => !/Type-2\.\d+\] User-defined field|image-count segmented/.test(w),
      );
      expect(unexpected, name).toEqual([]);
    }
  });

  it("the oracle can fail: chkan2k flags what it cannot accept", async () => {
    // chkan2k knows editions up to 0400, so a 0500 VER is its ERROR; the helper must see it.
    const r = await chkan2k(encodeTransaction(slaps, { edition: "0500" }));
    expect(r.errors.join("\n")).toMatch(/Type-1\.002\] VER/);
    // NBIS 5.0 refuses any DCS field: why "dcs-utf8" is not our default.
    const dcs = await chkan2k(encodeTransaction(slaps, { edition: "0500", unicodeText: "dcs-utf8" }));
    expect(dcs.errors.join("\n")).toMatch(
      /DCS field \(1\.015\) found: alternate character sets not supported/,
    );
  });

  for (const edition of ["0400", "0500", "0501", "0502"] as An2kEdition[]) {
    it(`an2k2txt reads back every field we wrote (${edition})`, async () => {
      for (const [name, tx] of Object.entries({ tenprint, slaps, withFace })) {
        const bytes = encodeTransaction(tx, { edition }, { now: new Date("2026-12-04T08:30:15Z") });
        const { lines, images } = await an2k2txt(bytes);
        const ours = decodeTransaction(bytes);
        const nbis = byRecordAndTag(lines);
        // Same records, same tags, same values as our decoder; and the values are what we put in.
        expect(nbis.get(1)!.get("1.002")).toEqual([[edition]]);
        const t2 = nbis.get(2)!;
        for (const f of tx.descriptive.fields)
          expect(t2.get(`2.${String(f.tag).padStart(3, "0")}`), name).toEqual(f.value);
        const imageRecords = [...nbis.keys()].filter((r) => r > 2);
        expect(imageRecords).toHaveLength(tx.fingerprints.length + (tx.faces?.length ?? 0));
        for (const [i, fp] of tx.fingerprints.entries()) {
          const rec = nbis.get(3 + i)!;
          expect(rec.get("14.013"), `${name} FGP`).toEqual(fp.positions.map((p) => [String(p)]));
          expect(rec.get("14.011")).toEqual([["WSQ20"]]);
          expect(rec.get("14.006")).toEqual([[String(fp.width)]]);
          if (fp.segments)
            expect(rec.get("14.021")).toEqual(
              fp.segments.map((s) => [s.position, s.left, s.right, s.top, s.bottom].map(String)),
            );
          if (fp.amputations)
            expect(rec.get("14.018")).toEqual(fp.amputations.map((a) => [String(a.position), a.code]));
          if (fp.nistQuality)
            expect(rec.get("14.022")).toEqual(
              fp.nistQuality.map((q) => [String(q.position), String(q.score)]),
            );
          expect(
            Buffer.compare(images.get(`14.999#${3 + i}`)!, Buffer.from(fp.image)),
            `${name} image ${i}`,
          ).toBe(0);
          expect(rec.get("14.992")).toEqual(edition >= "0501" ? [["00"]] : undefined);
          expect(ours.fingerprints[i]).toEqual(fp);
        }
        expect(ours.descriptive).toEqual(tx.descriptive);
      }
    });
  }

  it("our decoder reads a file NBIS txt2an2k built", async () => {
    const wsq = tenprint.fingerprints[0]!.image;
    const lines = [
      "1.1.1.1 [1.001]=0",
      "1.2.1.1 [1.002]=0400",
      "1.3.1.1 [1.003]=1",
      "1.3.1.2 [1.003]=2",
      "1.3.2.1 [1.003]=2",
      "1.3.2.2 [1.003]=00",
      "1.3.3.1 [1.003]=14",
      "1.3.3.2 [1.003]=01",
      "1.4.1.1 [1.004]=CAR",
      "1.5.1.1 [1.005]=20261204",
      "1.6.1.1 [1.006]=4",
      "1.7.1.1 [1.007]=MHNAFIS00",
      "1.8.1.1 [1.008]=MH0120300",
      "1.9.1.1 [1.009]=NBIS-1",
      "1.10.1.1 [1.011]=19.69",
      "1.11.1.1 [1.012]=19.69",
      "2.1.1.1 [2.001]=0",
      "2.2.1.1 [2.002]=00",
      "2.3.1.1 [2.018]=KUMAR,RAMESH",
      "2.4.1.1 [2.901]=रमेश",
      "3.1.1.1 [14.001]=0",
      "3.2.1.1 [14.002]=01",
      "3.3.1.1 [14.003]=1",
      "3.4.1.1 [14.004]=MH0120300",
      "3.5.1.1 [14.005]=20261203",
      "3.6.1.1 [14.006]=400",
      "3.7.1.1 [14.007]=500",
      "3.8.1.1 [14.008]=1",
      "3.9.1.1 [14.009]=500",
      "3.10.1.1 [14.010]=500",
      "3.11.1.1 [14.011]=WSQ20",
      "3.12.1.1 [14.012]=8",
      "3.13.1.1 [14.013]=7",
      "3.14.1.1 [14.018]=7",
      "3.14.1.2 [14.018]=UP",
      "3.15.1.1 [14.999]=fld_3_15.tmp",
    ];
    const bytes = await txt2an2k(lines, { "fld_3_15.tmp": wsq });
    const tx = decodeTransaction(bytes);
    expect(tx.edition).toBe("0400");
    expect(tx.header).toMatchObject({ transactionType: "CAR", priority: 4, controlNumber: "NBIS-1" });
    expect(tx.descriptive.fields).toEqual([
      { tag: 18, value: [["KUMAR,RAMESH"]] },
      { tag: 901, value: [["रमेश"]] },
    ]);
    expect(tx.fingerprints).toEqual([
      {
        ...fingerRecord([7], wsq, 400, 500),
        impression: 1,
        captureDate: "20261203",
        amputations: [{ position: 7, code: "UP" }],
      },
    ]);
  });
});

function byRecordAndTag(lines: An2kTextLine[]): Map<number, Map<string, string[][]>> {
  const out = new Map<number, Map<string, string[][]>>();
  for (const l of lines) {
    const rec = out.get(l.record) ?? new Map<string, string[][]>();
    out.set(l.record, rec);
    const v = rec.get(l.tag) ?? [];
    rec.set(l.tag, v);
    (v[l.subfield - 1] ??= [])[l.item - 1] = l.value;
  }
  return out;
}

/** A grey face image as lossless JPEG (NBIS cjpegl), which chkan2k can decode. */
async function lossless(width: number, height: number): Promise<An2kFace> {
  const dir = await mkdtemp(join(tmpdir(), "an2k-face-"));
  try {
    const pixels = new Uint8Array(width * height);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        pixels[y * width + x] =
          40 + Math.round(150 * Math.exp(-(((x - width / 2) / 140) ** 2 + ((y - height / 2) / 190) ** 2)));
    await writeFile(join(dir, "face.raw"), pixels);
    await promisify(execFile)(
      join(NBIS_DIR, "bin", "cjpegl"),
      ["jpl", "face.raw", "-raw_in", `${width},${height},8`],
      { cwd: dir },
    );
    return {
      sourceAgency: ORI,
      photoDate: "20261204",
      width,
      height,
      scaleUnits: 0,
      horizontalPixelScale: 1,
      verticalPixelScale: 1,
      compression: "JPEGL",
      colorSpace: "GRAY",
      acquisitionProfile: 1,
      pose: "F",
      image: await readFile(join(dir, "face.jpl")),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
