/**
 * Sealed records waiting for the bureau (or the CCTNS client):
 *   <dir>/<id>.an2.age   the ANSI/NIST-ITL transaction, age-encrypted to the bureau (opaque to us)
 *   <dir>/<id>.json      what we know about it: TCN, size, counts, attempts, the receipt (no personal data)
 * The record is written before its metadata, and a record counts as sealed only once both exist; a record
 * without metadata is what a crash or a full disk left half-way, and `recover` removes it.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { removeDurably, sweepTemp, writeFileDurably } from "./durable-file.js";
import type { Plan } from "./plan.js";

export interface Receipt {
  at: string;
  by: "bureau" | "cctns-client";
  /** HTTP status and the bureau's own receipt text (capped), for the audit trail. */
  status?: number;
  text?: string;
}

export interface SpoolEntry {
  id: string;
  tcn: string;
  sealedAt: string;
  plan: Plan;
  bytes: number;
  sha256: string;
  attempts: number;
  lastAttemptAt?: string;
  lastError?: string;
  receipt?: Receipt;
  /** The record file vanished before any receipt (deleted by hand, disk damage): it can never be sent. */
  lost?: string;
}

export interface SpoolStats {
  /** Records sealed and not yet received by the bureau (or the CCTNS client). */
  depth: number;
  bytes: number;
  oldestUnsentMs: number | null;
}

const RECORD = ".an2.age";
const META = ".json";

export class Spool {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Call once at start: drops half-written files. Returns the ids of records that were removed. */
  recover(): string[] {
    sweepTemp(this.dir);
    const removed: string[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith(RECORD)) continue;
      const id = name.slice(0, -RECORD.length);
      if (!this.has(id)) {
        rmSync(join(this.dir, name), { force: true });
        removed.push(id);
      }
    }
    return removed;
  }

  /** Writes the record, then its metadata; on any failure neither counts. */
  add(entry: Omit<SpoolEntry, "bytes" | "sha256" | "attempts">, sealed: Uint8Array): SpoolEntry {
    const full: SpoolEntry = {
      ...entry,
      bytes: sealed.length,
      sha256: createHash("sha256").update(sealed).digest("hex"),
      attempts: 0,
    };
    const recordPath = join(this.dir, entry.id + RECORD);
    try {
      writeFileDurably(recordPath, sealed);
      this.write(full);
    } catch (e) {
      rmSync(recordPath, { force: true });
      throw e;
    }
    return full;
  }

  has(id: string): boolean {
    try {
      return statSync(join(this.dir, id + META)).isFile();
    } catch {
      return false;
    }
  }

  get(id: string): SpoolEntry | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir, id + META), "utf8")) as SpoolEntry;
    } catch {
      return undefined;
    }
  }

  entries(): SpoolEntry[] {
    return readdirSync(this.dir)
      .filter((n) => n.endsWith(META) && !n.startsWith("."))
      .flatMap((n) => {
        const e = this.get(n.slice(0, -META.length));
        return e ? [e] : [];
      })
      .sort((a, b) => a.sealedAt.localeCompare(b.sealedAt));
  }

  pending(): SpoolEntry[] {
    return this.entries().filter((e) => !e.receipt && !e.lost);
  }

  /** The sealed bytes, or undefined once deleted after the receipt. */
  read(id: string): Buffer | undefined {
    try {
      return readFileSync(join(this.dir, id + RECORD));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  write(entry: SpoolEntry): void {
    writeFileDurably(join(this.dir, entry.id + META), Buffer.from(JSON.stringify(entry, null, 1)));
  }

  /** Records the receipt first; the record itself goes now or after the retention time. */
  markReceived(entry: SpoolEntry, receipt: Receipt, retentionMs: number): SpoolEntry {
    const done = { ...entry, receipt };
    this.write(done);
    if (retentionMs <= 0) removeDurably(join(this.dir, entry.id + RECORD));
    return done;
  }

  /** Deletes received records older than the retention; metadata past twice that goes too. */
  prune(now: number, retentionMs: number): number {
    let removed = 0;
    for (const e of this.entries()) {
      if (!e.receipt) continue;
      const age = now - Date.parse(e.receipt.at);
      if (age >= retentionMs && this.read(e.id) !== undefined) {
        removeDurably(join(this.dir, e.id + RECORD));
        removed++;
      }
      if (age >= Math.max(retentionMs, 0) * 2 + 30 * 86_400_000) removeDurably(join(this.dir, e.id + META));
    }
    return removed;
  }

  stats(): SpoolStats {
    const pending = this.pending();
    const oldest = pending.length > 0 ? Date.parse(pending[0]!.sealedAt) : null;
    return { depth: pending.length, bytes: pending.reduce((s, e) => s + e.bytes, 0), oldestUnsentMs: oldest };
  }
}
