/** Whole print jobs: a template filled with data, a test page, or a picture, encoded for one profile. */
import type { Gray } from "./bitmap.js";
import { concat } from "./escpos.js";
import { encodeDocumentParts, type Block, type PrinterProfile } from "./document.js";
import { grayRamp } from "./emulator/sample-images.js";
import type { SlipLabels } from "./slip-labels.js";
import { buildTemplate } from "./templates.js";
import type { TextRasterizer } from "./text-raster.js";

export interface EncodedJob {
  bytes: Uint8Array;
  /** The same bytes as whole commands, for the device to segment at command boundaries. */
  parts: Uint8Array[];
  /** Why optional lines were left out (e.g. no Devanagari font installed); empty when all printed. */
  skipped: string[];
  encodeMs: number;
}

function encode(blocks: Block[], profile: PrinterProfile, rasterizer?: TextRasterizer): EncodedJob {
  const started = performance.now();
  const skipped = new Set<string>();
  const parts = encodeDocumentParts(blocks, profile, {
    ...(rasterizer ? { rasterizer } : {}),
    onSkip: (_t, why) => skipped.add(why),
  });
  const bytes = concat(parts);
  return { bytes, parts, skipped: [...skipped], encodeMs: performance.now() - started };
}

/** Throws TemplateDataError (a caller's mistake, HTTP 400) when the data does not fit the template. */
export function encodeSlip(
  template: string,
  data: unknown,
  profile: PrinterProfile,
  rasterizer?: TextRasterizer,
  labels?: SlipLabels,
): EncodedJob {
  return encode(buildTemplate(template, data, labels), profile, rasterizer);
}

export function encodeImage(image: Gray, profile: PrinterProfile): EncodedJob {
  return encode(
    [{ kind: "image", image, align: "center" }, { kind: "feed", dots: 48 }, { kind: "cut" }],
    profile,
  );
}

/** Shows at a glance what the printer can do: code page, sizes, alignment, dithering, QR, Devanagari. */
export function testPageBlocks(profile: PrinterProfile, label: string): Block[] {
  return [
    { kind: "text", text: "station-agent test page", align: "center", bold: true, size: 2 },
    { kind: "text", text: label, align: "center" },
    { kind: "rule" },
    { kind: "text", text: `width ${profile.widthDots} dots, code page ${profile.codePage}` },
    { kind: "text", text: "Normal text 0123456789 ABC abc" },
    { kind: "text", text: "Bold text", bold: true },
    { kind: "text", text: "Centre", align: "center" },
    { kind: "text", text: "Right", align: "right" },
    { kind: "text", text: "Café £ ± ½ │ █", optional: true },
    { kind: "text", text: "देवनागरी: पुलिस थाना परीक्षण ₹100", optional: true },
    { kind: "rule" },
    { kind: "image", image: grayRamp(Math.min(profile.widthDots, 384), 48), align: "center" },
    { kind: "feed", dots: 12 },
    { kind: "qr", data: `station-agent test ${label}`, align: "center" },
    { kind: "text", text: profile.nativeQr ? "QR: native GS ( k" : "QR: raster", align: "center" },
    { kind: "feed", dots: 48 },
    { kind: "cut" },
  ];
}

export function encodeTestPage(
  profile: PrinterProfile,
  label: string,
  rasterizer?: TextRasterizer,
): EncodedJob {
  return encode(testPageBlocks(profile, label), profile, rasterizer);
}
