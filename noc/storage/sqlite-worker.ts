import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type {
  DailyRow,
  DeviceChange,
  EventRow,
  GapRow,
  LinkChange,
  OutageRow,
  PowerChange,
  StationRow,
  StatusChange,
} from "../model.js";
import type { HistoryBundle, Liveness, Storage, TimeRange, WriteBatch } from "./storage.js";

/** From TypeScript sources (tsx, vitest) the worker registers tsx before loading the thread module. */
function startWorker(path: string): Worker {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return new Worker(new URL("./sqlite-thread.js", here), { workerData: { path } });
  const tsx = createRequire(here)
    .resolve("tsx/esm/api")
    .replace(/\.cjs$/, ".mjs");
  const thread = new URL("./sqlite-thread.ts", here).href;
  const boot = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((m) => { m.register(); return import(${JSON.stringify(thread)}); })`;
  return new Worker(boot, { eval: true, workerData: { path } });
}

/**
 * SQLite on its own thread. better-sqlite3 is synchronous: a big transaction or a WAL checkpoint's
 * fsync would stop the collector's event loop, and every MQTT message with it. Here the main thread only
 * posts the batch; the storage thread writes it. Same tables, same contract suite as SqliteStorage.
 */
export class SqliteWorkerStorage implements Storage {
  readonly kind = "sqlite" as const;
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(private readonly path: string) {}

  private call<T>(method: string, ...args: unknown[]): Promise<T> {
    const w = this.worker;
    if (!w) return Promise.reject(new Error("storage not initialised"));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ id, method, args });
    });
  }

  async init(): Promise<void> {
    if (!this.worker) {
      const w = startWorker(this.path);
      this.worker = w;
      w.on("message", (m: { id: number; result?: unknown; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve(m.result);
      });
      w.on("error", (e) => this.failAll(e));
      w.on("exit", (code) => this.failAll(new Error(`storage thread exited (${code})`)));
    }
    await this.call("init");
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.worker = undefined;
  }

  async close(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    await this.call("close").catch(() => undefined);
    this.worker = undefined;
    await w.terminate();
  }

  write(batch: WriteBatch): Promise<void> {
    return this.call("write", batch);
  }
  loadStations(): Promise<StationRow[]> {
    return this.call("loadStations");
  }
  liveness(ids: string[]): Promise<Map<string, Liveness>> {
    return this.call("liveness", ids);
  }
  loadOpenGaps(): Promise<GapRow[]> {
    return this.call("loadOpenGaps");
  }
  statusHistory(station: string, range: TimeRange): Promise<StatusChange[]> {
    return this.call("statusHistory", station, range);
  }
  linkHistory(station: string, range: TimeRange): Promise<LinkChange[]> {
    return this.call("linkHistory", station, range);
  }
  deviceHistory(station: string, range: TimeRange): Promise<DeviceChange[]> {
    return this.call("deviceHistory", station, range);
  }
  powerHistory(station: string, range: TimeRange): Promise<PowerChange[]> {
    return this.call("powerHistory", station, range);
  }
  outages(station: string, range: TimeRange): Promise<OutageRow[]> {
    return this.call("outages", station, range);
  }
  recentEvents(station: string, limit: number): Promise<EventRow[]> {
    return this.call("recentEvents", station, limit);
  }
  gaps(station: string, limit: number): Promise<GapRow[]> {
    return this.call("gaps", station, limit);
  }
  historyForRange(range: TimeRange): Promise<Map<string, HistoryBundle>> {
    return this.call("historyForRange", range);
  }
  upsertDaily(rows: DailyRow[]): Promise<void> {
    return this.call("upsertDaily", rows);
  }
  periodTotals(fromDay: string, toDay: string): Promise<DailyRow[]> {
    return this.call("periodTotals", fromDay, toDay);
  }
  daily(fromDay: string, toDay: string, station?: string): Promise<DailyRow[]> {
    return this.call("daily", fromDay, toDay, station);
  }
  getMeta(key: string): Promise<string | undefined> {
    return this.call("getMeta", key);
  }
  setMeta(key: string, value: string): Promise<void> {
    return this.call("setMeta", key, value);
  }
  prune(before: number): Promise<number> {
    return this.call("prune", before);
  }
  sizeBytes(): Promise<number> {
    return this.call("sizeBytes");
  }
  query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    return this.call("query", sql, params);
  }
  run(sql: string, params: unknown[]): Promise<number> {
    return this.call("run", sql, params);
  }
}
