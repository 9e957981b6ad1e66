/**
 * NIST NBIS tools as the oracle for ANSI/NIST-ITL files (shared/tools/nbis/NOTES.md). Each call
 * runs in a fresh temp directory because an2k2txt refuses to overwrite its fld_*.tmp files.
 * Absent tools skip the tests that need them, except under CI=true, where that is a failure.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

import { missingNbisTools, NBIS_BIN as BIN } from "./nbis-tools.js";

export { cwsq } from "./nbis-tools.js";

const run = promisify(execFile);

export const NBIS_DIR = dirname(BIN);
const CHKAN2K_CONF = join(NBIS_DIR, "chkan2k", "default.conf");

/** Why the NBIS tests cannot run here, or undefined when they can. Throws under CI=true. */
export function nbisMissing(
  tools: string[] = ["an2k2txt", "txt2an2k", "chkan2k", "cwsq"],
): string | undefined {
  const missing = missingNbisTools(tools);
  if (missing.length === 0) return undefined;
  const reason = `NBIS oracle tools missing at ${BIN}: ${missing.join(", ")}`;
  if (process.env.CI === "true") throw new Error(`${reason} (CI=true: the oracle is required)`);
  return reason;
}

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "an2k-nbis-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface An2kTextLine {
  record: number;
  field: number;
  subfield: number;
  item: number;
  /** "14.013" */
  tag: string;
  value: string;
}

/** an2k2txt's reading of a file: every item as a line, and the image fields as bytes by tag. */
export async function an2k2txt(
  bytes: Uint8Array,
): Promise<{ lines: An2kTextLine[]; images: Map<string, Buffer> }> {
  return inTempDir(async (dir) => {
    await writeFile(join(dir, "in.an2"), bytes);
    await run(join(BIN, "an2k2txt"), ["in.an2", "out.txt"], { cwd: dir });
    const text = await readFile(join(dir, "out.txt"), "utf8");
    const lines: An2kTextLine[] = [];
    const images = new Map<string, Buffer>();
    for (const raw of text.split("\x1f\n")) {
      if (raw === "") continue;
      const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+) \[(\d+\.\d+)\]=(.*)$/s.exec(raw);
      if (!m) throw new Error(`an2k2txt line not understood: ${JSON.stringify(raw.slice(0, 80))}`);
      const line = {
        record: +m[1]!,
        field: +m[2]!,
        subfield: +m[3]!,
        item: +m[4]!,
        tag: m[5]!,
        value: m[6]!,
      };
      lines.push(line);
      if (/^fld_\d+_\d+\.tmp$/.test(line.value))
        images.set(line.tag + "#" + line.record, await readFile(join(dir, line.value)));
    }
    return { lines, images };
  });
}

/** chkan2k's findings: the lines that say ERROR CHECK and WARNING CHECK. */
export async function chkan2k(
  bytes: Uint8Array,
): Promise<{ errors: string[]; warnings: string[]; output: string }> {
  return inTempDir(async (dir) => {
    await writeFile(join(dir, "in.an2"), bytes);
    const r = await run(join(BIN, "chkan2k"), ["-b", CHKAN2K_CONF, "in.an2"], { cwd: dir }).catch(
      (e: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`chkan2k failed: ${e.message}\n${e.stdout ?? ""}${e.stderr ?? ""}`);
      },
    );
    const output = `${r.stdout}\n${r.stderr}`;
    const lines = output.split("\n");
    return {
      // "ERROR :" is a file chkan2k could not even parse (it still exits 0).
      errors: lines.filter((l) => l.includes("ERROR CHECK") || l.startsWith("ERROR :")),
      warnings: lines.filter((l) => l.includes("WARNING CHECK")),
      output,
    };
  });
}

/** Builds a file with txt2an2k from an2k2txt-format lines; `files` are the fld_*.tmp images. */
export async function txt2an2k(lines: string[], files: Record<string, Uint8Array> = {}): Promise<Buffer> {
  return inTempDir(async (dir) => {
    for (const [name, data] of Object.entries(files)) await writeFile(join(dir, name), data);
    await writeFile(join(dir, "in.txt"), lines.map((l) => `${l}\x1f\n`).join(""));
    await run(join(BIN, "txt2an2k"), ["in.txt", "out.an2"], { cwd: dir });
    return readFile(join(dir, "out.an2"));
  });
}
