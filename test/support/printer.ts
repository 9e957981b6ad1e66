/** Shared pieces for the printer tests: fonts, an emulator on TCP or a pty, and recording sinks. */
import { PNG } from "pngjs";
import type { Bitmap } from "../../drivers/printer/bitmap.js";
import { fileURLToPath } from "node:url";
import { TextRasterizer } from "../../drivers/printer/text-raster.js";
import { VirtualPrinter } from "../../drivers/printer/emulator/virtual-printer.js";
import { syntheticFingerprint } from "../../drivers/printer/emulator/sample-images.js";
import type { DeviceState } from "../../contract/index.js";

const fp = syntheticFingerprint();

/** Arrest slip data with a synthetic fingerprint (never a real person's). */
export const SLIP = {
  station: { name: "Shivajinagar Police Station", code: "MH-PUN-0042", district: "Pune City" },
  firNumber: "0123/2025",
  arrestedAt: "2025-03-14T16:45:00+05:30",
  accused: { name: "Ramesh Kumar", nameLocal: "रमेश कुमार", age: 34, gender: "male" },
  officer: { name: "A. Patil", rank: "PSI" },
  fingerprint: {
    image: { width: fp.width, height: fp.height, grayBase64: Buffer.from(fp.data).toString("base64") },
    finger: "right thumb",
  },
};

export const RECEIPT = {
  station: { name: "Shivajinagar Police Station", code: "MH-PUN-0042" },
  complaintNumber: "CMP-2025-00981",
  receivedAt: "2025-03-14T11:02:00+05:30",
  complainant: { name: "Sunita Deshmukh", nameLocal: "सुनीता देशमुख" },
  subject: "Mobile phone stolen near bus stand",
  officer: { name: "R. Shinde", rank: "HC" },
};

const fontDir = fileURLToPath(new URL("../fixtures/fonts/", import.meta.url));

/** The fonts under test/fixtures/fonts (copied from Debian), so printer tests need no apt and render the same dots everywhere. */
export const TEST_FONTS = {
  devanagari: `${fontDir}Lohit-Devanagari.ttf`,
  latin: `${fontDir}DejaVuSans.ttf`,
  mono: `${fontDir}DejaVuSansMono.ttf`,
};

let fonts: Promise<{ text: TextRasterizer; mono: TextRasterizer }> | undefined;

/** The slip font (with Devanagari) and the emulator's monospaced font, loaded once per test file. */
export function loadFonts(): Promise<{ text: TextRasterizer; mono: TextRasterizer }> {
  fonts ??= (async () => {
    const text = await TextRasterizer.load({ latin: TEST_FONTS.latin, devanagari: TEST_FONTS.devanagari });
    const mono = await TextRasterizer.load({ latin: TEST_FONTS.mono, devanagari: TEST_FONTS.devanagari });
    return { text, mono };
  })();
  return fonts;
}

export async function virtualPrinter(widthDots = 576): Promise<VirtualPrinter> {
  const { mono } = await loadFonts();
  return new VirtualPrinter({ widthDots, font: mono });
}

/** Black pixels of a PNG the emulator wrote, without its margin (16 px): what a person sees. */
export function pngToBitmap(png: Buffer, margin = 16): Bitmap {
  const img = PNG.sync.read(png);
  const width = img.width - 2 * margin;
  const height = img.height - 2 * margin;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = ((y + margin) * img.width + x + margin) * 4;
      data[y * width + x] = img.data[i] === 0 && img.data[i + 1] === 0 ? 1 : 0;
    }
  }
  return { width, height, data };
}

export function inkCount(b: Bitmap): number {
  let n = 0;
  for (const v of b.data) n += v;
  return n;
}

export class RecordingSinks {
  readonly events: { type: string; data: Record<string, unknown> }[] = [];
  readonly devices: DeviceState[] = [];
  readonly eventSink = {
    event: (type: string, data: Record<string, unknown>) => void this.events.push({ type, data }),
  };
  readonly retained = {
    device: (_id: string, s: DeviceState) => void this.devices.push(s),
    link: () => undefined,
    power: () => undefined,
  };
  types(): string[] {
    return this.events.map((e) => e.type);
  }
  lastHealth(): DeviceState | undefined {
    return this.devices[this.devices.length - 1];
  }
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
