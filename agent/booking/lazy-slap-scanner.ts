/**
 * The four-finger scanner's local service may start after the agent (vendor services often do), so it
 * is opened on first use and again after a failure, instead of failing the agent's start.
 */
import { openSlapScanner } from "../../drivers/fingerprint/slap-service.js";
import type { SlapCapture, SlapKind, SlapScanner } from "../../drivers/fingerprint/slap-scanner.js";
import type { ScannerCheck } from "../../drivers/fingerprint/scanner.js";

export class LazySlapScanner implements SlapScanner {
  readonly driver = "slap-service";
  private scanner?: SlapScanner;

  constructor(private readonly settings: { url: string; requestTimeoutMs?: number }) {}

  private async open(): Promise<SlapScanner> {
    this.scanner ??= await openSlapScanner(this.settings);
    return this.scanner;
  }

  async check(): Promise<ScannerCheck> {
    return (await this.open()).check();
  }

  async captureSlap(
    kind: SlapKind,
    options: { timeoutMs: number; signal?: AbortSignal; missing?: number[] },
  ): Promise<SlapCapture> {
    const scanner = await this.open();
    try {
      return await scanner.captureSlap(kind, options);
    } catch (e) {
      if ((e as { code?: string }).code === "no-device") this.scanner = undefined;
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.scanner?.close();
  }
}
