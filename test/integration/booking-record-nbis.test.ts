/**
 * The sealed record's plaintext against NIST's reference tools: every edition reads back with an2k2txt,
 * 0400 passes chkan2k with no ERROR CHECK, and nfiq reads every Type-14's WSQ image.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { compressor } from "../../agent/booking/compress.js";
import { FGP, TEN_FINGERS, type Position } from "../../agent/booking/plan.js";
import { buildTransaction } from "../../agent/booking/record.js";
import type { SessionState } from "../../agent/booking/session-store.js";
import { syntheticFinger } from "../../drivers/fingerprint/synthetic/finger.js";
import type { GrayImage } from "../../drivers/fingerprint/image.js";
import { decodeTransaction } from "../../drivers/fingerprint/ansi-nist/index.js";
import { describeWithNbis, NBIS_BIN, scratchDir } from "../support/nbis.js";

const QUALITY = {
  score: 80,
  coverage: 0.8,
  area: 1,
  contrast: 0.8,
  clarity: 0.8,
  snr: 2.5,
  smudged: 0,
  faint: 0,
  method: "ridge-clarity-v2" as const,
};
const CHKAN2K_CONF = join(NBIS_BIN, "../chkan2k/default.conf");

function session(annotated: Position[] = ["left-little"]): {
  state: SessionState;
  images: Map<Position, GrayImage>;
} {
  const images = new Map<Position, GrayImage>();
  const state: SessionState = {
    id: "bk-0123456789abcdef0123",
    plan: "tenprint-flat",
    person: {
      reference: "FIR-0042/2026",
      name: "Rameshwar Prasad Yadav",
      relativeName: "Suresh Yadav",
      relation: "father",
      sex: "male",
      dateOfBirth: "1992-03-14",
      arrestingOfficer: "SI Meena Kumari 1123",
    },
    createdAt: "2026-12-04T10:00:00.000Z",
    updatedAt: "2026-12-04T10:09:00.000Z",
    positions: TEN_FINGERS.map((position, i) => {
      if (annotated.includes(position))
        return {
          position,
          attempts: 0,
          rejections: 0,
          flagged: false,
          annotation: position === "left-little" ? ("amputated" as const) : ("unable-to-print" as const),
        };
      const f = syntheticFinger(FGP[position], { width: 400, height: 500 });
      images.set(position, { width: f.width, height: f.height, pixels: f.pixels });
      return {
        position,
        attempts: 1,
        rejections: i === 3 ? 3 : 0,
        flagged: i === 3,
        best: {
          file: `${position}.1.sab`,
          width: f.width,
          height: f.height,
          resolutionPpi: 500,
          quality: QUALITY,
          nfiq: 2,
          accepted: i !== 3,
          device: "fp1",
          capturedAt: "2026-12-04T10:05:00.000Z",
        },
      };
    }),
  };
  return { state, images };
}

function record(edition: "0400" | "0500" | "0502", annotated?: Position[], name?: string): Uint8Array {
  const { state, images } = session(annotated);
  if (name) state.person.name = name;
  return buildTransaction(
    {
      tcn: "UP0420042-20261204100900-01234567",
      sealedAt: new Date("2026-12-04T10:09:00Z"),
      session: state,
      images,
    },
    { edition, ori: "UP0420042", dai: "UPSFB0001", tot: "CAR", compress: compressor(0.75) },
  );
}

describeWithNbis("booking record against NBIS", ["an2k2txt", "chkan2k", "nfiq"], () => {
  it.each(["0400", "0500", "0502"] as const)(
    "edition %s reads back with an2k2txt and our decoder",
    (edition) => {
      const bytes = record(edition);
      const tx = decodeTransaction(bytes);
      expect(tx.edition).toBe(edition);
      expect(tx.fingerprints.map((f) => f.positions[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(tx.fingerprints[9]!.amputations).toEqual([{ position: 10, code: "XX" }]);
      expect(tx.fingerprints.every((f) => f.compression === "WSQ20")).toBe(true);
      expect(tx.fingerprints[3]!.comment).toMatch(/RETAKE LIMIT/);
      const { dir, cleanup } = scratchDir();
      try {
        writeFileSync(join(dir, "r.an2"), bytes);
        const r = spawnSync(join(NBIS_BIN, "an2k2txt"), ["r.an2", "r.txt"], { cwd: dir, encoding: "utf8" });
        expect(r.status, r.stderr).toBe(0);
      } finally {
        cleanup();
      }
    },
  );

  it("edition 0400 passes chkan2k with no ERROR CHECK, and nfiq reads every image", () => {
    const { dir, cleanup } = scratchDir();
    try {
      writeFileSync(join(dir, "r.an2"), record("0400"));
      const chk = spawnSync(join(NBIS_BIN, "chkan2k"), ["-b", CHKAN2K_CONF, "r.an2"], {
        cwd: dir,
        encoding: "utf8",
      });
      const report = chk.stderr + chk.stdout;
      if (process.env["SHOW_CHKAN2K"]) console.log(report);
      expect(report).not.toMatch(/ERROR CHECK/);
      expect(report).toMatch(/WARNING CHECK/); // Type-2 UDF warnings: chkan2k did read the file
      const q = spawnSync(join(NBIS_BIN, "nfiq"), ["r.an2"], { cwd: dir, encoding: "utf8" });
      expect(q.status, q.stderr).toBe(0);
      const scores = q.stdout
        .trim()
        .split("\n")
        .map((l) => Number(l.trim().split(/\s+/).at(-1)));
      // Nine prints and the amputated finger's blank placeholder.
      expect(scores).toHaveLength(10);
      for (const s of scores) expect(s).toBeGreaterThanOrEqual(1);
    } finally {
      cleanup();
    }
  });

  it("seals five fingers that cannot be printed in 0400: one record each, AMP within 1-2007's limit", () => {
    const annotated: Position[] = ["right-ring", "right-little", "left-middle", "left-ring", "left-little"];
    const bytes = record("0400", annotated);
    const tx = decodeTransaction(bytes);
    expect(tx.fingerprints).toHaveLength(10);
    expect(tx.fingerprints.filter((f) => f.amputations).map((f) => f.amputations)).toEqual([
      [{ position: 4, code: "UP" }],
      [{ position: 5, code: "UP" }],
      [{ position: 8, code: "UP" }],
      [{ position: 9, code: "UP" }],
      [{ position: 10, code: "XX" }],
    ]);
    const { dir, cleanup } = scratchDir();
    try {
      writeFileSync(join(dir, "r.an2"), bytes);
      const chk = spawnSync(join(NBIS_BIN, "chkan2k"), ["-b", CHKAN2K_CONF, "r.an2"], {
        cwd: dir,
        encoding: "utf8",
      });
      expect(chk.stderr + chk.stdout).not.toMatch(/ERROR CHECK/);
    } finally {
      cleanup();
    }
  });

  it.each(["0400", "0502"] as const)(
    "edition %s with a Devanagari name reads back with an2k2txt",
    (edition) => {
      const name = "रामेश्वर प्रसाद यादव";
      const { dir, cleanup } = scratchDir();
      try {
        writeFileSync(join(dir, "r.an2"), record(edition, undefined, name));
        const r = spawnSync(join(NBIS_BIN, "an2k2txt"), ["r.an2", "r.txt"], { cwd: dir, encoding: "utf8" });
        expect(r.status, r.stderr).toBe(0);
        expect(readFileSync(join(dir, "r.txt"), "utf8")).toContain(`[2.901]=${name}`);
      } finally {
        cleanup();
      }
    },
  );
});
