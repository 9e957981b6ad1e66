/**
 * One ESC/POS printer: owns its transport, polls the real-time status while idle, checks it before,
 * during and after each job, and reports a job that could not print as failed with the reason.
 * Never throws out of its timers: every failure becomes a health change or a failed job.
 */
import type { ByteStream } from "../transport/byte-stream.js";
import { EscPosLink, PrinterTimeoutError } from "./printer-link.js";
import { faultOf, type FaultReason, type PrinterStatus } from "./status.js";

export type PrinterHealth = "ready" | "busy" | "faulted" | "absent";
export type JobFailure = FaultReason | "no-response" | "not-connected" | "write-failed" | "stopped";

export interface PrinterSnapshot {
  health: PrinterHealth;
  /** Why the printer is faulted or absent. */
  reason?: FaultReason | "no-response" | "not-connected";
  detail?: string;
  status?: PrinterStatus;
}

export type JobResult =
  | { ok: true; bytes: number; durationMs: number; status: PrinterStatus }
  | {
      ok: false;
      reason: JobFailure;
      detail: string;
      bytesSent: number;
      durationMs: number;
      status?: PrinterStatus;
    };

export interface PrinterDeviceOptions {
  /** Opens the transport (serial, TCP, device file); called again after the stream closes. */
  openStream: () => Promise<ByteStream>;
  pollIntervalMs?: number;
  replyTimeoutMs?: number;
  /** Line speed in bytes/s (serial: baud / 10); unknown for TCP and USB, where a default is assumed. */
  bytesPerSecond?: number;
  /** Reconnect back-off bounds after the transport fails to open or closes. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  now?: () => number;
}

type Listener = (next: PrinterSnapshot, prev: PrinterSnapshot) => void;

export class EscPosPrinter {
  private link: EscPosLink | undefined;
  private snapshot: PrinterSnapshot = { health: "absent", reason: "not-connected" };
  private readonly listeners = new Set<Listener>();
  private jobs: Promise<unknown> = Promise.resolve();
  private busy = false;
  private running = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectMs: number;
  private connecting: Promise<EscPosLink | undefined> | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: PrinterDeviceOptions) {
    this.reconnectMs = opts.reconnectMinMs ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  get state(): PrinterSnapshot {
    return this.snapshot;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    this.running = true;
    await this.connect();
    await this.poll();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    await this.jobs.catch(() => undefined);
    const link = this.link;
    this.link = undefined;
    if (link) {
      link.close();
      await link.stream.close().catch(() => undefined);
    }
  }

  /** Ask the printer now (the CLI's `print status`). */
  async queryStatus(): Promise<PrinterStatus> {
    return this.exclusive(async () => {
      const link = await this.connect();
      if (!link) throw new Error(this.snapshot.detail ?? "printer not connected");
      return this.checkStatus(link);
    });
  }

  /**
   * Print one job; resolves when it printed or failed, never rejects. Give the job as a list of whole
   * commands to get status checks between segments; a single byte array is sent in one piece.
   */
  print(job: Uint8Array | Uint8Array[]): Promise<JobResult> {
    return this.exclusive(() => this.runJob(job instanceof Uint8Array ? [job] : job));
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.jobs.then(fn, fn);
    this.jobs = run.catch(() => undefined);
    return run;
  }

  private async runJob(parts: Uint8Array[]): Promise<JobResult> {
    const started = this.now();
    const total = parts.reduce((n, p) => n + p.length, 0);
    let sent = 0;
    const fail = (reason: JobFailure, detail: string, status?: PrinterStatus): JobResult => ({
      ok: false,
      reason,
      detail,
      bytesSent: sent,
      durationMs: this.now() - started,
      ...(status ? { status } : {}),
    });
    if (!this.running) return fail("stopped", "printer service is stopped");
    const link = await this.connect();
    if (!link) return fail("not-connected", this.snapshot.detail ?? "printer not connected");
    this.busy = true;
    try {
      let status: PrinterStatus;
      try {
        status = await this.checkStatus(link);
      } catch (e) {
        return fail("no-response", (e as Error).message);
      }
      const fault = faultOf(status);
      if (fault) return fail(fault, `printer reports ${fault} before the job`, status);
      this.update({ health: "busy", status });
      // Segments of about two seconds of line time: a status check between them stops a job whose
      // printer opened its cover or ran out of paper, instead of pouring the rest into a stopped printer.
      for (const segment of segments(
        parts,
        Math.max(4096, Math.round((this.opts.bytesPerSecond ?? 4000) * 2)),
      )) {
        if (!this.running) return fail("stopped", `printer service stopped after ${sent} of ${total} bytes`);
        try {
          await link.write(segment);
        } catch (e) {
          return fail("write-failed", (e as Error).message);
        }
        sent += segment.length;
        try {
          status = await this.checkStatus(link);
        } catch (e) {
          return fail("no-response", (e as Error).message);
        }
        const midFault = faultOf(status);
        if (midFault)
          return fail(midFault, `printer reports ${midFault} after ${sent} of ${total} bytes`, status);
      }
      return { ok: true, bytes: total, durationMs: this.now() - started, status };
    } finally {
      this.busy = false;
      if (this.snapshot.health === "busy")
        this.update({ health: "ready", ...(this.snapshot.status ? { status: this.snapshot.status } : {}) });
    }
  }

  /** Status query that also updates health; a timeout marks the printer faulted with no-response. */
  private async checkStatus(link: EscPosLink): Promise<PrinterStatus> {
    try {
      const status = await link.status();
      const fault = faultOf(status);
      if (fault)
        this.update({ health: "faulted", reason: fault, detail: `printer reports ${fault}`, status });
      else this.update({ health: this.busy ? "busy" : "ready", status });
      return status;
    } catch (e) {
      if (e instanceof PrinterTimeoutError) {
        this.update({ health: "faulted", reason: "no-response", detail: e.message });
      }
      throw e;
    }
  }

  private async poll(): Promise<void> {
    clearTimeout(this.pollTimer);
    if (!this.running) return;
    if (!this.busy && this.link) {
      await this.exclusive(async () => {
        if (this.link) await this.checkStatus(this.link).catch(() => undefined);
      });
    }
    if (this.running) this.pollTimer = setTimeout(() => void this.poll(), this.opts.pollIntervalMs ?? 5000);
  }

  private connect(): Promise<EscPosLink | undefined> {
    if (this.link?.stream.isOpen) return Promise.resolve(this.link);
    this.connecting ??= this.openLink().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async openLink(): Promise<EscPosLink | undefined> {
    clearTimeout(this.reconnectTimer);
    try {
      const stream = await this.opts.openStream();
      const link = new EscPosLink(stream, {
        ...(this.opts.replyTimeoutMs !== undefined ? { replyTimeoutMs: this.opts.replyTimeoutMs } : {}),
        ...(this.opts.bytesPerSecond !== undefined ? { bytesPerSecond: this.opts.bytesPerSecond } : {}),
        now: this.now,
      });
      stream.onClose((err) => {
        if (this.link !== link) return;
        this.link = undefined;
        link.close();
        this.update({
          health: "absent",
          reason: "not-connected",
          detail: err ? `connection lost: ${err.message}` : "connection closed",
        });
        this.scheduleReconnect();
      });
      this.link = link;
      this.reconnectMs = this.opts.reconnectMinMs ?? 1000;
      return link;
    } catch (e) {
      this.update({
        health: "absent",
        reason: "not-connected",
        detail: `cannot open printer: ${(e as Error).message}`,
      });
      this.scheduleReconnect();
      return undefined;
    }
  }

  private scheduleReconnect(): void {
    if (!this.running) return;
    clearTimeout(this.reconnectTimer);
    // A reconnect that throws tries again later: a rejection here would have no handler.
    const attempt = async () => {
      if (!this.running || this.link) return;
      if (await this.connect()) await this.poll();
    };
    this.reconnectTimer = setTimeout(
      () => void attempt().catch(() => this.scheduleReconnect()),
      this.reconnectMs,
    );
    this.reconnectMs = Math.min(this.opts.reconnectMaxMs ?? 60_000, this.reconnectMs * 2);
  }

  private update(next: PrinterSnapshot): void {
    const prev = this.snapshot;
    this.snapshot = next;
    const same =
      prev.health === next.health &&
      prev.reason === next.reason &&
      JSON.stringify(prev.status?.raw) === JSON.stringify(next.status?.raw);
    if (same) return;
    for (const l of [...this.listeners]) {
      try {
        l(next, prev);
      } catch {
        // A listener's bug must not stop the printer.
      }
    }
  }
}

/** Groups whole commands into segments of at least `target` bytes (a single command may be larger). */
function segments(parts: Uint8Array[], target: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let group: Uint8Array[] = [];
  let size = 0;
  const flush = (): void => {
    if (group.length === 0) return;
    const buf = new Uint8Array(size);
    let at = 0;
    for (const p of group) {
      buf.set(p, at);
      at += p.length;
    }
    out.push(buf);
    group = [];
    size = 0;
  };
  for (const p of parts) {
    group.push(p);
    size += p.length;
    if (size >= target) flush();
  }
  flush();
  return out;
}
