/**
 * The UPS link: one GET_REPORT at a time over a HID report transport, each with a timeout, and the
 * input reports passed through. A wedged device fails one request, not the agent.
 */
import type { HidReportTransport } from "../transport/hid.js";

export class HidTimeoutError extends Error {
  constructor(reportId: number, ms: number) {
    super(`UPS did not answer feature report 0x${reportId.toString(16)} within ${ms} ms`);
    this.name = "HidTimeoutError";
  }
}

export class UpsLink {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly transport: HidReportTransport,
    private readonly timeoutMs = 2000,
  ) {}

  getFeature(reportId: number, length: number): Promise<Buffer> {
    const run = () => this.withTimeout(reportId, this.transport.getFeatureReport(reportId, length));
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  onInput(listener: (report: Buffer) => void): () => void {
    return this.transport.onInputReport(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.transport.onClose(listener);
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private withTimeout<T>(reportId: number, p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new HidTimeoutError(reportId, this.timeoutMs)), this.timeoutMs);
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }
}
