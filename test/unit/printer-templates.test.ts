/** Slip templates: validation, the verification payload, and Devanagari shaped rather than spelled out. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encodeDocument, PROFILES } from "../../drivers/printer/document.js";
import { syntheticFingerprint } from "../../drivers/printer/emulator/sample-images.js";
import {
  arrestSlip,
  buildTemplate,
  complaintReceipt,
  TemplateDataError,
} from "../../drivers/printer/templates.js";
import { TextRasterizer } from "../../drivers/printer/text-raster.js";
import { inkCount, loadFonts, RECEIPT, SLIP, TEST_FONTS } from "../support/printer.js";

function qrPayload(blocks: ReturnType<typeof arrestSlip>): string {
  const qr = blocks.find((b) => b.kind === "qr");
  if (!qr || qr.kind !== "qr") throw new Error("no QR block");
  return qr.data;
}

describe("slip templates", () => {
  it("puts FIR number, time, fingerprint hash and a field digest in the QR payload", () => {
    const fp = syntheticFingerprint();
    const payload = qrPayload(arrestSlip(SLIP));
    const fpHash = createHash("sha256").update(fp.data).digest("hex");
    expect(payload).toMatch(
      /^CCTNS1\|MH-PUN-0042\|FIR:0123\/2025\|2025-03-14T16:45:00\+05:30\|FP:[0-9a-f]{64}\|D:[0-9a-f]{16}$/,
    );
    expect(payload).toContain(`FP:${fpHash}`);
    // A caller-supplied capture hash wins; any changed field changes the digest.
    const given = "ab".repeat(32);
    expect(qrPayload(arrestSlip({ ...SLIP, captureHash: given }))).toContain(`FP:${given}`);
    const other = qrPayload(arrestSlip({ ...SLIP, accused: { ...SLIP.accused, name: "Someone Else" } }));
    expect(other.split("|D:")[1]).not.toBe(payload.split("|D:")[1]);
    expect(qrPayload(complaintReceipt(RECEIPT))).toMatch(
      /^CCTNS1\|MH-PUN-0042\|CMP:CMP-2025-00981\|.*\|FP:-\|D:[0-9a-f]{16}$/,
    );
  });

  it("rejects bad data with every problem named, and unknown templates", () => {
    const bad = {
      ...SLIP,
      firNumber: "",
      arrestedAt: "yesterday",
      accused: { name: "X", age: -1 },
      extra: 1,
    };
    try {
      arrestSlip(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateDataError);
      const problems = (e as TemplateDataError).problems.join("\n");
      expect(problems).toMatch(/firNumber/);
      expect(problems).toMatch(/arrestedAt/);
      expect(problems).toMatch(/accused\.age/);
      expect(problems).toMatch(/extra|Unrecognized/);
    }
    expect(() => buildTemplate("seizure-memo", {})).toThrow(/unknown template/);
    const wrongSize = { ...SLIP, fingerprint: { image: { width: 10, height: 10, grayBase64: "AAAA" } } };
    expect(() => arrestSlip(wrongSize)).toThrow(/needs 100 bytes/);
    expect(() => arrestSlip({ ...SLIP, fingerprint: { image: { pngBase64: "AAAA" } } })).toThrow(/PNG/);
  });

  it("leaves out optional Devanagari lines (and says why) when no Devanagari font is installed", async () => {
    const noDeva = await TextRasterizer.load({ latin: TEST_FONTS.latin, devanagari: null });
    expect(noDeva.hasDevanagari).toBe(false);
    const skipped: string[] = [];
    const bytes = encodeDocument(arrestSlip(SLIP), PROFILES["58mm"], {
      rasterizer: noDeva,
      onSkip: (_t, why) => skipped.push(why),
    });
    expect(bytes.length).toBeGreaterThan(1000);
    expect(skipped.length).toBe(2); // the title and the local name
    expect(skipped[0]).toMatch(/Devanagari font/);
    expect(() =>
      encodeDocument([{ kind: "text", text: "नाम" }], PROFILES["58mm"], { rasterizer: noDeva }),
    ).toThrow(/Devanagari font/);
  });
});

describe("Devanagari text raster", () => {
  it("shapes conjuncts and matras (HarfBuzz), not one glyph per code point", async () => {
    const { text } = await loadFonts();
    // क्ष is one conjunct glyph: narrower than क + ् + ष laid side by side.
    const conjunct = text.measure("क्ष");
    const spelled = text.measure("क") + text.measure("्") + text.measure("ष");
    expect(conjunct).toBeLessThan(spelled * 0.8);
    // The i-matra ि is written before (left of) the consonant it follows in memory.
    const ki = text.render("कि", { sizePx: 48 });
    const ka = text.render("क", { sizePx: 48 });
    const leftInk = (b: typeof ki): number => {
      for (let x = 0; x < b.width; x++)
        for (let y = 0; y < b.height; y++) if (b.data[y * b.width + x]) return x;
      return -1;
    };
    expect(ki.width).toBeGreaterThan(ka.width);
    expect(leftInk(ki)).toBeLessThanOrEqual(leftInk(ka) + 2);
    expect(inkCount(text.render("पुलिस थाना"))).toBeGreaterThan(200);
  });

  it("wraps long lines to the paper width", async () => {
    const { text } = await loadFonts();
    const long = "बस स्टैंड के पास मोबाइल फ़ोन चोरी हो गया और शिकायत दर्ज की गई";
    const lines = text.wrap(long, 384);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(text.measure(l)).toBeLessThanOrEqual(384);
    expect(lines.join(" ")).toBe(long);
  });

  it("shapes thousands of runs without growing HarfBuzz's wasm memory, which never shrinks", async () => {
    const { text } = await loadFonts();
    const line = "प्रथम सूचना रिपोर्ट शिकायत पावती संख्या";
    text.measure(line);
    const before = process.memoryUsage().external;
    for (let i = 0; i < 4000; i++) text.measure(line);
    // One HarfBuzz buffer per run, freed only after a major GC, grew it by ~3 MB per thousand.
    expect(process.memoryUsage().external - before).toBeLessThan(4e6);
  });
});
