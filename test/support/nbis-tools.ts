/**
 * NIST NBIS reference tools as a test and benchmark oracle (see ../shared/tools/nbis/NOTES.md): where they
 * are, and small wrappers that run them on raw pixels in a scratch directory.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const NBIS_BIN =
  process.env.NBIS_BIN ?? resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/tools/nbis/bin");

export function missingNbisTools(tools: readonly string[]): string[] {
  return tools.filter((t) => !existsSync(join(NBIS_BIN, t)));
}

export function runNbis(tool: string, args: string[], cwd?: string): string {
  return execFileSync(join(NBIS_BIN, tool), args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** A scratch directory per call, removed by the returned cleanup. */
export function scratchDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "nbis-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RawImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** cwsq on raw pixels: the WSQ bytes NBIS makes at `bitrate`. */
export function cwsq(image: RawImage, bitrate: number, ppi = 500): Uint8Array {
  const { dir, cleanup } = scratchDir();
  try {
    writeFileSync(join(dir, "img.raw"), image.pixels);
    runNbis("cwsq", [
      String(bitrate),
      "wsq",
      join(dir, "img.raw"),
      "-raw_in",
      `${image.width},${image.height},8,${ppi}`,
    ]);
    return new Uint8Array(readFileSync(join(dir, "img.wsq")));
  } finally {
    cleanup();
  }
}

/** dwsq on WSQ bytes: NBIS's decoded pixels (throws with dwsq's stderr if it refuses the file). */
export function dwsq(wsq: Uint8Array): Uint8Array {
  const { dir, cleanup } = scratchDir();
  try {
    writeFileSync(join(dir, "img.wsq"), wsq);
    runNbis("dwsq", ["dec", join(dir, "img.wsq"), "-raw_out"]);
    return new Uint8Array(readFileSync(join(dir, "img.dec")));
  } finally {
    cleanup();
  }
}

/** NFIQ 1.0 of raw pixels: 1 (best) .. 5 (worst). */
export function nfiq(image: RawImage, ppi = 500): number {
  const { dir, cleanup } = scratchDir();
  try {
    writeFileSync(join(dir, "img.raw"), image.pixels);
    const out = runNbis("nfiq", ["-raw", `${image.width},${image.height},8,${ppi}`, join(dir, "img.raw")]);
    const n = Number(out.trim());
    if (!Number.isInteger(n) || n < 1 || n > 5) throw new Error(`nfiq printed ${JSON.stringify(out)}`);
    return n;
  } finally {
    cleanup();
  }
}

export function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`PSNR of images of ${a.length} and ${b.length} pixels`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255) / (sum / a.length));
}
