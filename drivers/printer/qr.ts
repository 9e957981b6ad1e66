/** QR symbols drawn as a raster for printers without native GS ( k support; encoded by the `qrcode` library. */
import QRCode from "qrcode";
import { blankBitmap, type Bitmap } from "./bitmap.js";
import type { QrEcc } from "./escpos.js";

/** The symbol with a quiet zone of `quiet` modules, each module `moduleSize` dots square. */
export function qrBitmap(
  data: string,
  opts: { moduleSize?: number; ecc?: QrEcc; quiet?: number } = {},
): Bitmap {
  const moduleSize = opts.moduleSize ?? 4;
  const quiet = opts.quiet ?? 4;
  const qr = QRCode.create(data, { errorCorrectionLevel: opts.ecc ?? "M" });
  const n = qr.modules.size;
  const side = (n + 2 * quiet) * moduleSize;
  const out = blankBitmap(side, side);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < moduleSize; dy++) {
        const y = (r + quiet) * moduleSize + dy;
        out.data.fill(1, y * side + (c + quiet) * moduleSize, y * side + (c + quiet + 1) * moduleSize);
      }
    }
  }
  return out;
}

/** Number of modules per side (without the quiet zone) of the symbol the library picks for `data`. */
export function qrModules(data: string, ecc: QrEcc = "M"): number {
  return QRCode.create(data, { errorCorrectionLevel: ecc }).modules.size;
}
