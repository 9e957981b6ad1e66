/**
 * Printed slips with ui.language hi (issue 18): the fixed labels are the Hindi catalogue's, the data is
 * printed as given, no English label is left anywhere on the slip, and the Devanagari labels rasterise:
 * the whole slip goes through the virtual printer with nothing left out. Without a Devanagari font the
 * slip keeps English labels and still prints.
 */
import { describe, expect, it } from "vitest";
import { slipLabels, slipLabelsFor } from "../../agent/devices/slip-labels.js";
import { PROFILES, type Block } from "../../drivers/printer/document.js";
import { encodeSlip } from "../../drivers/printer/slip.js";
import { ENGLISH_SLIP_LABELS } from "../../drivers/printer/slip-labels.js";
import { arrestSlip, complaintReceipt } from "../../drivers/printer/templates.js";
import { TextRasterizer } from "../../drivers/printer/text-raster.js";
import { englishLeftovers } from "../support/hindi-words.js";
import { inkCount, loadFonts, RECEIPT, SLIP, TEST_FONTS, virtualPrinter } from "../support/printer.js";

/** The words a slip shows, split into its fixed words and the data it was given. */
function words(blocks: Block[]): { fixed: string[]; data: string[] } {
  const fixed: string[] = [];
  const data: string[] = [];
  for (const b of blocks) {
    if (b.kind === "field") {
      fixed.push(b.label);
      data.push(b.value);
    } else if (b.kind === "text") fixed.push(b.text);
  }
  return { fixed, data };
}

const slips = [
  ["arrest-slip", SLIP, arrestSlip],
  ["complaint-receipt", RECEIPT, complaintReceipt],
] as const;

describe("slip labels in Hindi", () => {
  it("labels are the Hindi ones, data stays as given", () => {
    const hi = slipLabels("hi");
    const arrest = words(arrestSlip(SLIP, hi));
    expect(arrest.fixed).toMatchSnapshot();
    expect(arrest.fixed).toContain("गिरफ़्तारी मेमो");
    expect(arrest.fixed).toContain("FIR नं.");
    expect(arrest.fixed).toContain("अभियुक्त के हस्ताक्षर: ____________");
    const receipt = words(complaintReceipt(RECEIPT, hi));
    expect(receipt.fixed).toMatchSnapshot();
    for (const [, data, build] of slips) {
      expect(words(build(data, hi)).data).toEqual(words(build(data)).data);
    }
  });

  it("leaves no English label anywhere on a Hindi slip", () => {
    const hi = slipLabels("hi");
    const hindiWords = new Set(Object.values(hi));
    for (const [, data, build] of slips) {
      const shown = words(build(data, hi));
      const fixed = shown.fixed.join("\n");
      // The data: field values, the station's name, district and code, the finger's name.
      const given = [...shown.data, JSON.stringify(data.station), SLIP.fingerprint.finger];
      expect(englishLeftovers(fixed, given)).toEqual([]);
      for (const english of Object.values(ENGLISH_SLIP_LABELS))
        if (!hindiWords.has(english)) expect(fixed).not.toContain(english);
    }
    // The check bites: the English slip's fixed words are caught.
    expect(
      englishLeftovers(words(arrestSlip(SLIP)).fixed.join("\n"), words(arrestSlip(SLIP)).data),
    ).toContain("ARREST");
  });

  it("Devanagari labels rasterise: the slip prints whole on the virtual printer", async () => {
    const { text } = await loadFonts();
    for (const [template, data] of slips) {
      const labels = slipLabelsFor("hi", text);
      expect(labels).toBeDefined();
      const job = encodeSlip(template, data, PROFILES["58mm"], text, labels);
      expect(job.skipped).toEqual([]);
      const printer = await virtualPrinter(PROFILES["58mm"].widthDots);
      printer.receive(job.bytes);
      expect(printer.paper.unknown).toEqual([]);
      expect(printer.paper.cuts.length).toBe(1);
      expect(inkCount(printer.paper.toBitmap())).toBeGreaterThan(5000);
      const english = await virtualPrinter(PROFILES["58mm"].widthDots);
      english.receive(encodeSlip(template, data, PROFILES["58mm"], text).bytes);
      expect(
        Buffer.from(printer.paper.toBitmap().data).equals(Buffer.from(english.paper.toBitmap().data)),
      ).toBe(false);
    }
    for (const label of [slipLabels("hi").accused, slipLabels("hi").signatureOfficer])
      expect(inkCount(text.render(label))).toBeGreaterThan(100);
  });

  it("without a Devanagari font the slip keeps English labels and still prints", async () => {
    const noDeva = await TextRasterizer.load({ latin: TEST_FONTS.latin, devanagari: null });
    expect(slipLabelsFor("hi", noDeva)).toBeUndefined();
    expect(slipLabelsFor("hi", undefined)).toBeUndefined();
    expect(slipLabelsFor("en", (await loadFonts()).text)).toBeUndefined();
    const job = encodeSlip("arrest-slip", SLIP, PROFILES["58mm"], noDeva, slipLabelsFor("hi", noDeva));
    expect(job.bytes.length).toBeGreaterThan(1000);
  });
});
