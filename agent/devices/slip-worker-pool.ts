/**
 * Slips encoded in a worker thread that exits after a quiet spell, so the fonts and the wasm shaping
 * engine go back to the system with it (slip-encoder.ts says why). One worker, started on demand; a
 * worker that dies (out of its memory limit, say) fails the jobs it held, and the next job starts anew.
 */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { TemplateDataError } from "../../drivers/printer/templates.js";
import type { SlipEncoderHandle, SlipEncoding, SlipRequest } from "./slip-encoder.js";

interface Pending {
  resolve: (out: SlipEncoding) => void;
  reject: (e: Error) => void;
}

type Reply =
  | { id: number; out: SlipEncoding }
  | { id: number; error: { name: string; message: string; problems?: string[] } };

/**
 * Where the worker's code is: beside this module in the TypeScript sources (tsx) and tsc's build, and at
 * the bundle's top level when this code sits in one of its chunks/ (scripts/bundle-agent.ts).
 */
export function slipWorkerFile(base: string = import.meta.url): string | undefined {
  const candidates = ["./slip-worker.js", "../slip-worker.js", "./slip-worker.ts"];
  return candidates.map((c) => fileURLToPath(new URL(c, base))).find((p) => existsSync(p));
}

export class WorkerSlipEncoder implements SlipEncoderHandle {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    /** How long a worker waits for the next slip before exiting. */
    private readonly idleMs = 30_000,
  ) {}

  /** Whether a worker is alive now (for tests and status). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  readonly encode = (req: SlipRequest): Promise<SlipEncoding> =>
    new Promise((resolve, reject) => {
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      (this.worker ?? this.start()).postMessage({ id, req });
    });

  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    await this.worker?.terminate();
  }

  private start(): Worker {
    // From the TypeScript sources (tsx: development, tests) the worker registers tsx's loader itself:
    // Node 20 does not carry the parent's --import hooks into a worker.
    const source = this.file.endsWith(".ts")
      ? new URL(
          `data:text/javascript,${encodeURIComponent(
            `import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))}; register(); await import(${JSON.stringify(pathToFileURL(this.file).href)});`,
          )}`,
        )
      : this.file;
    const w = new Worker(source, {
      // A runaway slip (a huge logo, a bug) ends this worker with ERR_WORKER_OUT_OF_MEMORY, not the agent.
      resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 4 },
    });
    w.unref();
    w.on("message", (m: Reply) => this.reply(m));
    w.on("error", (e) => this.failAll(w, new Error(`slip encoder failed: ${e.message}`)));
    w.on("exit", (code) => this.failAll(w, new Error(`slip encoder stopped (exit code ${code})`)));
    this.worker = w;
    return w;
  }

  private reply(m: Reply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if ("out" in m) p.resolve(m.out);
    else if (m.error.problems) p.reject(new TemplateDataError(m.error.problems));
    else p.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
    if (this.pending.size === 0) {
      this.idleTimer = setTimeout(() => void this.worker?.terminate(), this.idleMs);
      this.idleTimer.unref();
    }
  }

  private failAll(w: Worker, e: Error): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
