/** Worker-thread side of SqliteWorkerStorage: owns the SQLite connection and runs each call in turn. */
import { parentPort, workerData } from "node:worker_threads";
import { SqliteStorage } from "./sqlite.js";
import { FORWARDED_METHODS } from "./storage.js";

export interface Call {
  id: number;
  method: string;
  args: unknown[];
}

const CALLABLE = new Set<string>([...FORWARDED_METHODS, "init", "close"]);
const storage = new SqliteStorage((workerData as { path: string }).path);
const port = parentPort;
if (!port) throw new Error("sqlite-thread must run in a worker thread");

let queue: Promise<void> = Promise.resolve();
port.on("message", (call: Call) => {
  queue = queue.then(async () => {
    try {
      if (!CALLABLE.has(call.method)) throw new Error(`no storage method ${call.method}`);
      const fn = (storage as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[call.method];
      if (typeof fn !== "function") throw new Error(`no storage method ${call.method}`);
      port.postMessage({ id: call.id, result: await fn.apply(storage, call.args) });
    } catch (e) {
      port.postMessage({ id: call.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
});
