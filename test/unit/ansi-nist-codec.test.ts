import { describe, expect, it } from "vitest";
import {
  An2kFormatError,
  An2kValueError,
  buildType2,
  decodeTransaction,
  describeTransaction,
  encodeTransaction,
  type An2kEdition,
  type An2kFingerprint,
  type An2kTransaction,
} from "../../drivers/fingerprint/ansi-nist/index.js";
import { encodeTaggedRecord } from "../../drivers/fingerprint/ansi-nist/traditional.js";

const NOW = new Date("2026-12-04T08:30:15Z");

function finger(position: number, extra: Partial<An2kFingerprint> = {}): An2kFingerprint {
  return {
    impression: 0,
    sourceAgency: "MH0120300",
    captureDate: "20261204",
    width: 400,
    height: 500,
    scaleUnits: 1,
    horizontalPixelScale: 500,
    verticalPixelScale: 500,
    compression: "WSQ20",
    bitsPerPixel: 8,
    positions: [position],
    // Bytes that include every separator value: the image field must not be split on them.
    image: Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + position) % 256),
    ...extra,
  };
}

function transaction(): An2kTransaction {
  return {
    header: {
      transactionType: "CAR",
      date: "20261204",
      priority: 2,
      destinationAgency: "MHNAFIS00",
      originatingAgency: "MH0120300",
      controlNumber: "BK-20261204-0001",
    },
    descriptive: buildType2({
      reference: "FIR 123/2026",
      name: "रमेश कुमार",
      nameLatin: "Ramesh Kumar",
      relation: "father",
      relativeName: "सुरेश कुमार",
      sex: "male",
      dateOfBirth: "1990-01-02",
      arrestingOfficer: "SI A. Patil 4411",
      arrestDate: "2026-12-03",
    }),
    fingerprints: [
      finger(2, {
        nistQuality: [{ position: 2, score: 2 }],
        monitoringMode: "ASSISTED",
        captureDevice: { make: "MANTRA", model: "MFS100", serialNumber: "2417651" },
      }),
      finger(13, {
        width: 1600,
        height: 1500,
        positions: [13],
        segments: [
          { position: 2, left: 100, right: 420, top: 200, bottom: 900 },
          { position: 3, left: 430, right: 760, top: 120, bottom: 850 },
          { position: 4, left: 770, right: 1100, top: 180, bottom: 880 },
        ],
        amputations: [{ position: 5, code: "XX" }],
        nistQuality: [
          { position: 2, score: 1 },
          { position: 3, score: 3 },
          { position: 4, score: 254 },
        ],
      }),
    ],
    faces: [
      {
        sourceAgency: "MH0120300",
        photoDate: "20261204",
        width: 480,
        height: 600,
        scaleUnits: 0,
        horizontalPixelScale: 1,
        verticalPixelScale: 1,
        compression: "JPEGB",
        colorSpace: "YCC",
        pose: "F",
        image: Uint8Array.of(0xff, 0xd8, 0x1c, 0x1d, 0x1e, 0x1f, 0xff, 0xd9),
      },
    ],
  };
}

describe("ANSI/NIST-ITL traditional encoding", () => {
  for (const edition of ["0400", "0500", "0501", "0502"] as An2kEdition[]) {
    it(`round-trips a transaction in edition ${edition}`, () => {
      const tx = transaction();
      const bytes = encodeTransaction(tx, { edition }, { now: NOW });
      const back = decodeTransaction(bytes);
      expect(back.edition).toBe(edition);
      expect(back.header).toMatchObject(tx.header);
      expect(back.descriptive).toEqual(tx.descriptive);
      // MMS exists from 1-2011 on; a 0400 record leaves it out.
      const expected = tx.fingerprints.map(({ captureDevice, ...rest }) =>
        edition === "0400" || !captureDevice ? rest : { ...rest, captureDevice },
      );
      expect(back.fingerprints).toEqual(expected);
      // T2C (xx.992) ties each image record to the Type-2 record from the 2013 update on.
      const text = Buffer.from(bytes).toString("latin1");
      // eslint-disable-next-line no-control-regex
      const t2c = (text.match(/\x1d(?:14|10)\.992:00[\x1c\x1d]/g) ?? []).length;
      expect(t2c).toBe(edition === "0501" || edition === "0502" ? 3 : 0);
      expect(back.faces).toHaveLength(1);
      expect(back.faces![0]).toEqual({
        ...tx.faces![0],
        ...(edition === "0400" ? {} : { acquisitionProfile: 1 }),
      });
      expect(back.unmodelledFields).toEqual([]);
      expect(back.nativeResolution).toBe(edition === "0400" ? "19.69" : "00.00");
      expect(back.header.gmt).toBe(edition === "0400" ? undefined : "20261204083015Z");
      expect(back.characterSets).toEqual([]);
    });
  }

  it("computes LEN for every record and CNT listing every record", () => {
    const bytes = encodeTransaction(transaction(), { edition: "0400" }, { now: NOW });
    const text = Buffer.from(bytes).toString("latin1");
    let offset = 0;
    const types: string[] = [];
    while (offset < bytes.length) {
      // eslint-disable-next-line no-control-regex
      const m = /^(\d+)\.001:(\d+)\x1d/.exec(text.slice(offset, offset + 20))!;
      expect(m).not.toBeNull();
      types.push(m[1]!);
      const len = Number(m[2]);
      expect(bytes[offset + len - 1]).toBe(0x1c);
      offset += len;
    }
    expect(offset).toBe(bytes.length);
    expect(types).toEqual(["1", "2", "14", "14", "10"]);
    expect(text).toContain("1.003:1\x1f4\x1e2\x1f00\x1e14\x1f01\x1e14\x1f02\x1e10\x1f03\x1d");
  });

  it("writes SEG, AMP and NQM as FGP-keyed subfields", () => {
    const text = Buffer.from(encodeTransaction(transaction(), { edition: "0400" })).toString("latin1");
    expect(text).toContain("14.018:5\x1fXX\x1d");
    expect(text).toContain(
      "14.021:2\x1f100\x1f420\x1f200\x1f900\x1e3\x1f430\x1f760\x1f120\x1f850\x1e4\x1f770\x1f1100\x1f180\x1f880\x1d",
    );
    expect(text).toContain("14.022:2\x1f1\x1e3\x1f3\x1e4\x1f254\x1d");
  });

  it("declares UTF-8 with DCS only when the profile asks for it", () => {
    const tx = transaction();
    const plain = decodeTransaction(encodeTransaction(tx, { edition: "0500" }, { now: NOW }));
    expect(plain.characterSets).toEqual([]);
    const declared = decodeTransaction(
      encodeTransaction(tx, { edition: "0500", unicodeText: "dcs-utf8" }, { now: NOW }),
    );
    expect(declared.characterSets).toEqual([{ index: 3, name: "UTF-8" }]);
    expect(() => encodeTransaction(tx, { edition: "0502", unicodeText: "ascii-only" })).toThrow(
      /2\.901.*7-bit ASCII/,
    );
  });

  it("keeps Type-1 ASCII and Type-14 text ASCII unless DCS declares UTF-8", () => {
    const tx = transaction();
    tx.header.controlNumber = "बुकिंग-1";
    expect(() => encodeTransaction(tx, { edition: "0500" })).toThrow(An2kValueError);
    const tx2 = transaction();
    tx2.fingerprints[0]!.comment = "अंगूठा";
    expect(() => encodeTransaction(tx2, { edition: "0400" })).toThrow(/14\.020/);
    expect(
      decodeTransaction(encodeTransaction(tx2, { edition: "0500", unicodeText: "dcs-utf8" })).fingerprints[0]!
        .comment,
    ).toBe("अंगूठा");
  });

  it("refuses values that would corrupt the record", () => {
    const bad: Array<[string, (tx: An2kTransaction) => void, RegExp]> = [
      [
        "separator in Type-2 text",
        (tx) => (tx.descriptive.fields[0]!.value = [["A\x1eB"]]),
        /2\.010.*control characters/,
      ],
      ["date not YYYYMMDD", (tx) => (tx.header.date = "2026-12-04"), /1\.005/],
      ["priority 0", (tx) => (tx.header.priority = 0), /1\.006/],
      ["segment outside the image", (tx) => (tx.fingerprints[1]!.segments![0]!.right = 1600), /14\.021/],
      ["NQM 7", (tx) => (tx.fingerprints[0]!.nistQuality![0]!.score = 7), /14\.022/],
      ["no positions", (tx) => (tx.fingerprints[0]!.positions = []), /14\.013/],
      ["zero width", (tx) => (tx.fingerprints[0]!.width = 0), /14\.006/],
      ["Type-2 field 999", (tx) => tx.descriptive.fields.push({ tag: 999, value: [["x"]] }), /2\.999/],
      ["empty item list", (tx) => (tx.descriptive.fields[0]!.value = [[]]), /2\.010/],
      ["SRC too short for 1-2007", (tx) => (tx.fingerprints[0]!.sourceAgency = "MH01"), /14\.004.*9 to 35/],
    ];
    for (const [what, mutate, message] of bad) {
      const tx = transaction();
      mutate(tx);
      expect(() => encodeTransaction(tx, { edition: "0400" }), what).toThrow(message);
    }
  });
});

describe("describeTransaction", () => {
  it("names every record and field a person checks", () => {
    const bytes = encodeTransaction(transaction(), { edition: "0501" }, { now: NOW });
    const text = describeTransaction(decodeTransaction(bytes), bytes.length).join("\n");
    expect(text).toContain(
      `ANSI/NIST-ITL 1-2011 Update 2013 (VER 0501), 5 records, ${String(bytes.length).replace(/\B(?=(\d{3})+(?!\d))/g, ",")} bytes`,
    );
    expect(text).toContain(
      "TOT CAR  DAT 20261204  PRY 2  DAI MHNAFIS00  ORI MH0120300  TCN BK-20261204-0001  GMT 20261204083015Z",
    );
    expect(text).toContain("2.901  रमेश कुमार");
    expect(text).toContain("FGP 13 right four (slap)  IMP 0 live-scan plain");
    expect(text).toContain("SEG 3 right middle: x 430-760, y 120-850");
    expect(text).toContain("AMP 5 right little: amputated");
    expect(text).toContain("MMS MANTRA MFS100 2417651");
    expect(text).toContain("Type-10  FACE JPEGB 480×600 YCC, 8 bytes");
    expect(text).not.toContain("also ");
  });
});

describe("ANSI/NIST-ITL decoder on malformed input", () => {
  const good = encodeTransaction(transaction(), { edition: "0400" }, { now: NOW });

  it("rejects every truncation with an An2kFormatError", () => {
    for (let n = 0; n < good.length; n += n < 400 ? 1 : 37) {
      expect(() => decodeTransaction(good.subarray(0, n)), `prefix ${n}`).toThrow(An2kFormatError);
    }
  });

  it("never throws anything but An2kFormatError on corrupted bytes", () => {
    let seed = 12345;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let round = 0; round < 2000; round++) {
      const copy = Uint8Array.from(good);
      const flips = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < flips; i++) {
        const at = Math.floor(rand() * 700); // the text fields, where structure lives
        copy[at] = [0x1c, 0x1d, 0x1e, 0x1f, 0x3a, 0x2e, 0x30, 0x39, Math.floor(rand() * 256)][
          Math.floor(rand() * 9)
        ]!;
      }
      try {
        decodeTransaction(copy);
      } catch (e) {
        expect(e, `round ${round}`).toBeInstanceOf(An2kFormatError);
      }
    }
  });

  it("names what is wrong", () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(() => decodeTransaction(new Uint8Array())).toThrow(/empty/);
    expect(() => decodeTransaction(text("hello"))).toThrow(/field tag/);
    expect(() => decodeTransaction(text("1.001:99999\x1d1.002:0400\x1c"))).toThrow(/declares 99999 bytes/);
    const extra = new Uint8Array([...good, 0x41]);
    expect(() => decodeTransaction(extra)).toThrow(/1 bytes after the last record/);
    expect(() => decodeTransaction(good, { maxBytes: 100 })).toThrow(/more than the 100 allowed/);
    // CNT says two records follow but only one does.
    const t1 = encodeTaggedRecord(1, [
      { tag: 2, value: [["0400"]] },
      {
        tag: 3,
        value: [
          ["1", "2"],
          ["2", "00"],
          ["14", "01"],
        ],
      },
      ...[4, 5, 7, 8, 9, 11, 12].map((tag) => ({
        tag,
        value: [[tag === 5 ? "20261204" : tag > 10 ? "19.69" : "X"]],
      })),
    ]);
    const r2 = encodeTaggedRecord(2, [{ tag: 2, value: [["00"]] }]);
    const wrongIdc = encodeTaggedRecord(1, [
      { tag: 2, value: [["0400"]] },
      {
        tag: 3,
        value: [
          ["1", "1"],
          ["2", "03"],
        ],
      },
      ...[4, 5, 7, 8, 9, 11, 12].map((tag) => ({
        tag,
        value: [[tag === 5 ? "20261204" : tag > 10 ? "19.69" : "X"]],
      })),
    ]);
    expect(() => decodeTransaction(new Uint8Array([...wrongIdc, ...r2]))).toThrow(
      /IDC 0 but CNT lists IDC 3/,
    );
    expect(() => decodeTransaction(new Uint8Array([...t1, ...r2]))).toThrow(
      /Type-14 record 2 but the file ends/,
    );
  });
});

describe("buildType2", () => {
  it("maps booking fields with the default CCTNS profile", () => {
    const t2 = buildType2({
      reference: "FIR 9/2026",
      name: "Sita Devi",
      sex: "female",
      ageYears: 34,
      relation: "husband",
      relativeName: "Ram",
    });
    expect(t2.fields).toEqual([
      { tag: 10, value: [["CCTNS", "FIR 9/2026"]] },
      { tag: 18, value: [["SITA DEVI"]] },
      { tag: 24, value: [["F"]] },
      { tag: 901, value: [["Sita Devi"]] },
      { tag: 902, value: [["H", "Ram"]] },
      { tag: 903, value: [["34"]] },
    ]);
  });

  it("leaves NAM out when the name has no Latin form, and fails on a missing required field", () => {
    const t2 = buildType2({ reference: "R1", name: "रमेश", sex: "unknown" });
    expect(t2.fields.map((f) => f.tag)).toEqual([10, 24, 901]);
    expect(() => buildType2({ reference: "", name: "x", sex: "male" })).toThrow(/2\.010: needs reference/);
    expect(() => buildType2({ reference: "R", name: "x", sex: "male", dateOfBirth: "02/01/1990" })).toThrow(
      /2\.022.*YYYY-MM-DD/,
    );
  });

  it("applies a state's own mapping", () => {
    const t2 = buildType2(
      { reference: "R7", name: "A B", sex: "male", arrestingOfficer: "HC 12" },
      {
        name: "state-x",
        entries: [
          { tag: 201, sources: ["reference"], format: "text" },
          { tag: 202, sources: ["arrestingOfficer"], format: "ascii-upper" },
        ],
      },
    );
    expect(t2.fields).toEqual([
      { tag: 201, value: [["R7"]] },
      { tag: 202, value: [["HC 12"]] },
    ]);
  });
});
