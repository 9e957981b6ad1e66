import { appendFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { LinkHealth } from "../../contract/index.js";

/**
 * Link state and active-link history, for per-link availability, time on backup and the uptime ledger's
 * outage evidence. Optionally kept in a small append-only JSON-lines file so 30-day figures survive restarts.
 * Time covered = from each `run` record to the last record of that run (a checkpoint is written every few
 * minutes), so a crash costs at most one checkpoint interval of coverage, never invents uptime.
 */

export type HistoryRecord =
  | { t: number; kind: "run" }
  | { t: number; kind: "alive" }
  | { t: number; kind: "stop" }
  | { t: number; kind: "state"; link: string; state: LinkHealth; reason?: string; firstFailAt?: number }
  | { t: number; kind: "active"; link: string | null };

export interface StateInterval {
  link: string;
  state: LinkHealth;
  from: number;
  to: number;
  reason?: string;
  firstFailAt?: number;
}

const RETENTION_MS = 31 * 24 * 3600_000;
const MAX_RECORDS = 200_000;

export class LinkHistory {
  private records: HistoryRecord[] = [];
  private writing: Promise<void> = Promise.resolve();
  private writeFailed = false;

  constructor(
    private readonly file: string | undefined,
    private readonly onWriteError: (message: string) => void = () => undefined,
  ) {}

  /** Read the file, drop what is older than the retention (keeping each link's last known state), rewrite it. */
  async load(now: number): Promise<void> {
    if (!this.file) return;
    let text = "";
    try {
      text = await readFile(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT")
        this.onWriteError(`cannot read ${this.file}: ${(e as Error).message}`);
    }
    const parsed: HistoryRecord[] = [];
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as HistoryRecord;
        if (typeof r?.t === "number" && typeof r.kind === "string") parsed.push(r);
      } catch {
        // a torn last line after a power cut: skip it
      }
    }
    parsed.sort((a, b) => a.t - b.t);
    this.records = compact(parsed, now - RETENTION_MS);
    try {
      await mkdir(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      await writeFile(
        tmp,
        this.records.map((r) => JSON.stringify(r)).join("\n") + (this.records.length ? "\n" : ""),
      );
      await rename(tmp, this.file);
    } catch (e) {
      this.fail(e);
    }
  }

  add(r: HistoryRecord): void {
    this.records.push(r);
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
    if (!this.file || this.writeFailed) return;
    const file = this.file;
    this.writing = this.writing.then(() =>
      appendFile(file, JSON.stringify(r) + "\n").catch((e) => this.fail(e)),
    );
  }

  flush(): Promise<void> {
    return this.writing;
  }

  /** Covered spans: [run start, last record of the run], the current run up to `now`. */
  covered(now: number): [number, number][] {
    const spans: [number, number][] = [];
    let start: number | undefined;
    let last = 0;
    for (const r of this.records) {
      if (r.kind === "run") {
        if (start !== undefined) spans.push([start, last]);
        start = r.t;
      }
      last = r.t;
      if (r.kind === "stop" && start !== undefined) {
        spans.push([start, r.t]);
        start = undefined;
      }
    }
    if (start !== undefined) spans.push([start, now]);
    return spans;
  }

  /** Each link's states as intervals, clipped to covered time (unknown where the agent was not running). */
  intervals(link: string, now: number): StateInterval[] {
    const out: StateInterval[] = [];
    for (const [a, b] of this.covered(now)) {
      let cur: StateInterval = { link, state: "unknown", from: a, to: b };
      for (const r of this.records) {
        if (r.t < a || r.t > b || r.kind !== "state" || r.link !== link) continue;
        if (r.t > cur.from) out.push({ ...cur, to: r.t });
        cur = { link, state: r.state, from: r.t, to: b, reason: r.reason, firstFailAt: r.firstFailAt };
      }
      if (b > cur.from) out.push(cur);
    }
    return out;
  }

  /** Percentage of known time (up, degraded or down) in [start, end] that the link was usable (up or degraded). */
  upPct(link: string, start: number, end: number, now: number): number | null {
    let usable = 0;
    let known = 0;
    for (const iv of this.intervals(link, now)) {
      const d = overlap(iv.from, iv.to, start, end);
      if (d <= 0 || iv.state === "unknown") continue;
      known += d;
      if (iv.state !== "down") usable += d;
    }
    return known > 0 ? Math.round((usable / known) * 10000) / 100 : null;
  }

  /** Which link carried the data centre's traffic, as intervals clipped to covered time. */
  activeIntervals(now: number): { link: string | null; from: number; to: number }[] {
    const out: { link: string | null; from: number; to: number }[] = [];
    for (const [a, b] of this.covered(now)) {
      let cur = { link: null as string | null, from: a, to: b };
      for (const r of this.records) {
        if (r.t < a || r.t > b || r.kind !== "active") continue;
        if (r.t > cur.from) out.push({ ...cur, to: r.t });
        cur = { link: r.link, from: r.t, to: b };
      }
      if (b > cur.from) out.push(cur);
    }
    return out;
  }

  onLinksMs(links: Set<string>, start: number, end: number, now: number): number {
    let ms = 0;
    for (const iv of this.activeIntervals(now))
      if (iv.link !== null && links.has(iv.link)) ms += Math.max(0, overlap(iv.from, iv.to, start, end));
    return ms;
  }

  activeAt(t: number, now: number): string | null {
    return this.activeIntervals(now).find((iv) => iv.from <= t && t < iv.to)?.link ?? null;
  }

  private fail(e: unknown): void {
    if (this.writeFailed) return;
    this.writeFailed = true;
    this.onWriteError(`link history not saved to ${this.file}: ${(e as Error).message}; kept in memory only`);
  }
}

export function overlap(a1: number, a2: number, b1: number, b2: number): number {
  return Math.min(a2, b2) - Math.max(a1, b1);
}

/** Records since `cutoff`, plus the run/state/active records just before it that still describe the present. */
function compact(records: HistoryRecord[], cutoff: number): HistoryRecord[] {
  const recent = records.filter((r) => r.t >= cutoff);
  if (recent.length === records.length) return recent;
  const carried = new Map<string, HistoryRecord>();
  for (const r of records) {
    if (r.t >= cutoff) break;
    if (r.kind === "run") carried.clear();
    const key =
      r.kind === "state"
        ? `state:${r.link}`
        : r.kind === "active"
          ? "active"
          : r.kind === "run"
            ? "run"
            : undefined;
    if (key) carried.set(key, r);
  }
  if (!carried.has("run")) return recent;
  const head = [...carried.values()].sort((a, b) => a.t - b.t);
  // Coverage of that run continues only if the run was still going at the cutoff (a record after it, same run).
  const firstRecent = recent[0];
  if (!firstRecent || firstRecent.kind === "run") return recent;
  return [...head, ...recent];
}
