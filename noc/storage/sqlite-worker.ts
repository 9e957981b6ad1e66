import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { FORWARDED_METHODS, type ForwardedMethod, type Storage } from "./storage.js";

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
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface below
export class SqliteWorkerStorage implements Storage {
  readonly kind = "sqlite" as const;
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(private readonly path: string) {}

  /** @internal Used by the generated forwarding methods below. */
  call<T>(method: string, ...args: unknown[]): Promise<T> {
    const w = this.worker;
    if (!w) return Promise.reject(new Error("storage not initialised"));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve, reject });
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
}

// The forwarding methods, made from the list: each posts its call to the storage thread. The interface
// tells TypeScript they exist; the loop puts them on the prototype.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface SqliteWorkerStorage extends Pick<Storage, ForwardedMethod> {}
for (const method of FORWARDED_METHODS) {
  Object.defineProperty(SqliteWorkerStorage.prototype, method, {
    value(this: SqliteWorkerStorage, ...args: unknown[]) {
      return this.call(method, ...args);
    },
  });
}
