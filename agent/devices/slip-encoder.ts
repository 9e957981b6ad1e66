/**
 * Turning a slip request into ESC/POS bytes. The shaping engine (HarfBuzz in wasm) and the fonts it
 * loads cost the daemon 4-5 MB that never go back once loaded (harfbuzzjs keeps one module instance,
 * and wasm memory does not shrink), for a job a station runs a few times a day. So the agent encodes in
 * a worker thread that exits when idle (slip-worker-pool.ts); this file is the encoding both sides share.
 */
import type { PrinterProfile } from "../../drivers/printer/document.js";
import { encodeSlip } from "../../drivers/printer/slip.js";
import { TextRasterizer } from "../../drivers/printer/text-raster.js";

export interface SlipRequest {
  template: string;
  data: unknown;
  profile: PrinterProfile;
  fonts: { latin?: string; devanagari?: string };
  /** The fixed labels' language (ui.language). */
  language: "en" | "hi";
}

export interface SlipEncoding {
  parts: Uint8Array[];
  skipped: string[];
  /** Set when no font could be loaded: lines outside the code page are then left out. */
  fontProblem?: string;
}

export type SlipEncoder = (req: SlipRequest) => Promise<SlipEncoding>;

/** An encoder with something to let go of at shutdown (a worker thread). */
export interface SlipEncoderHandle {
  encode: SlipEncoder;
  close?(): Promise<void>;
}

/** Encodes in the calling thread, keeping the fonts for the next slip (tests, the CLI, the worker). */
export function inProcessSlipEncoder(): SlipEncoder {
  const loaded = new Map<string, Promise<{ rasterizer?: TextRasterizer; problem?: string }>>();
  return async (req) => {
    const key = `${req.fonts.latin ?? ""}\n${req.fonts.devanagari ?? ""}`;
    let fonts = loaded.get(key);
    if (!fonts) {
      fonts = TextRasterizer.load({
        ...(req.fonts.latin ? { latin: req.fonts.latin } : {}),
        ...(req.fonts.devanagari ? { devanagari: req.fonts.devanagari } : {}),
      }).then(
        (rasterizer) => ({ rasterizer }),
        (e: Error) => ({ problem: e.message }),
      );
      loaded.set(key, fonts);
    }
    const { rasterizer, problem } = await fonts;
    const labels =
      req.language === "hi" ? (await import("./slip-labels.js")).slipLabelsFor("hi", rasterizer) : undefined;
    const job = encodeSlip(req.template, req.data, req.profile, rasterizer, labels);
    return { parts: job.parts, skipped: job.skipped, ...(problem ? { fontProblem: problem } : {}) };
  };
}
