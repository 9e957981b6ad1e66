import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { parseIcmpLine, type IcmpTool } from "./icmp-parse.js";
import type { NowClock, ProbeOutcome } from "./types.js";

export interface IcmpStreamOptions {
  tool: IcmpTool;
  /** Absolute path of the binary, or undefined when it is not installed (the stream is then faulted). */
  binary: string | undefined;
  /** The fault message when `binary` is undefined; default: "<tool> is not installed ...". */
  missing?: string;
  address: string;
  iface: string;
  periodMs: number;
  timeoutMs: number;
  clock: NowClock;
  onOutcome(outcome: ProbeOutcome): void;
  /** A message when the stream cannot probe, undefined when it works again. */
  onFault(message: string | undefined): void;
  /** Extra evidence (ICMP errors without a sequence number), for the link's down event. */
  onNote?(text: string): void;
}

const MAX_BACKOFF_MS = 60_000;
const SEQ_MEMORY = 256;

/**
 * One long-running `fping -l` or `ping -O` process for one target, bound to the link's interface with
 * SO_BINDTODEVICE (-I). Every echo request ends in exactly one outcome: its reply, its timeout, an ICMP
 * error for it, or (when the tool goes quiet) a loss invented by the silence watchdog. A process that
 * exits is restarted with back-off; until then the stream is faulted, never the link.
 */
export class IcmpStream {
  private child: ChildProcess | undefined;
  private stopping = false;
  private backoffMs = 1000;
  private restartTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private lastError: string | undefined;
  private faultMessage: string | undefined;
  /** The most recent reply: sequence numbers are mapped to send times from it. */
  private anchor: { seq: number; sentAt: number } | undefined;
  private decided = new Set<number>();
  private highestSeq = -1;

  constructor(private readonly opts: IcmpStreamOptions) {}

  get fault(): string | undefined {
    return this.faultMessage;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.stopping = false;
    this.launch();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.silenceTimer);
    this.silenceTimer = undefined;
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill("SIGKILL"), 1000);
      child.once("close", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }

  private args(): string[] {
    const { tool, iface, address, periodMs, timeoutMs } = this.opts;
    if (tool === "fping")
      return ["-l", "-p", String(periodMs), "-t", String(timeoutMs), "-I", iface, address];
    return ["-n", "-O", "-i", (periodMs / 1000).toFixed(3), "-I", iface, address];
  }

  private launch(): void {
    if (this.stopping) return;
    const { tool, binary } = this.opts;
    if (!binary) {
      const pkg = tool === "fping" ? "fping" : "iputils-ping";
      this.setFault(
        this.opts.missing ??
          `${tool} is not installed (no ${tool} in PATH; install the Debian package ${pkg})`,
      );
      this.scheduleRestart(MAX_BACKOFF_MS);
      return;
    }
    this.lastError = undefined;
    this.anchor = undefined;
    this.decided.clear();
    this.highestSeq = -1;
    let child: ChildProcess;
    try {
      child = spawn(binary, this.args(), {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, LC_ALL: "C" },
      });
    } catch (e) {
      this.setFault(`cannot start ${binary}: ${(e as Error).message}`);
      this.scheduleRestart(this.nextBackoff());
      return;
    }
    this.child = child;
    child.on("error", (e: NodeJS.ErrnoException) => {
      this.lastError = e.code === "ENOENT" ? `${binary} not found` : `cannot start ${binary}: ${e.message}`;
    });
    createInterface({ input: child.stdout! }).on("line", (l) => this.onLine(l));
    createInterface({ input: child.stderr! }).on("line", (l) => this.onLine(l));
    child.on("close", (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      clearTimeout(this.silenceTimer);
      this.silenceTimer = undefined;
      if (this.stopping) return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      this.setFault(this.lastError ? `${tool}: ${this.lastError}` : `${tool} ${how}`);
      this.scheduleRestart(this.nextBackoff());
    });
    this.armSilenceWatchdog();
  }

  private onLine(raw: string): void {
    const { tool, clock, timeoutMs, periodMs } = this.opts;
    const line = parseIcmpLine(tool, raw);
    const now = clock.now();
    switch (line.kind) {
      case "reply": {
        const sentAt = now - line.rttMs;
        this.anchor = { seq: line.seq, sentAt };
        if (line.rttMs > timeoutMs)
          this.decide(line.seq, { sentAt, ok: false, error: `late reply (${line.rttMs} ms)` });
        else this.decide(line.seq, { sentAt, ok: true, rttMs: line.rttMs });
        break;
      }
      case "lost": {
        const fallback = now - (tool === "fping" ? timeoutMs : periodMs);
        this.decide(line.seq, { sentAt: this.sentAtOf(line.seq) ?? fallback, ok: false, error: line.reason });
        break;
      }
      case "icmp-error":
        this.opts.onNote?.(line.text);
        break;
      case "fatal":
        this.lastError = line.message;
        break;
      case "other":
        if (line.text && !/^PING |^---|transmitted|^rtt /.test(line.text)) this.lastError = line.text;
        break;
    }
  }

  private sentAtOf(seq: number): number | undefined {
    if (!this.anchor) return undefined;
    return this.anchor.sentAt + (seq - this.anchor.seq) * this.opts.periodMs;
  }

  private decide(seq: number, outcome: ProbeOutcome): void {
    // ping's icmp_seq wraps at 65535: a much smaller number starts a new cycle.
    if (seq < this.highestSeq - 30_000) {
      this.decided.clear();
      this.highestSeq = -1;
    }
    if (this.decided.has(seq)) return;
    this.decided.add(seq);
    if (seq > this.highestSeq) this.highestSeq = seq;
    if (this.decided.size > SEQ_MEMORY) {
      for (const s of this.decided) {
        if (this.decided.size <= SEQ_MEMORY / 2) break;
        this.decided.delete(s);
      }
    }
    this.backoffMs = 1000;
    if (this.faultMessage !== undefined) this.setFault(undefined);
    this.armSilenceWatchdog();
    this.opts.onOutcome(outcome);
  }

  /** A tool that stops printing (ping while ARP hangs, a stalled process) still yields one loss per period. */
  private armSilenceWatchdog(): void {
    if (this.silenceTimer) {
      this.silenceTimer.refresh();
      return;
    }
    const { periodMs, timeoutMs } = this.opts;
    this.silenceTimer = setTimeout(() => this.onSilence(), periodMs + timeoutMs + Math.max(periodMs, 1000));
    this.silenceTimer.unref?.();
  }

  private onSilence(): void {
    if (!this.child || this.stopping) return;
    const seq = this.highestSeq + 1;
    const now = this.opts.clock.now();
    this.decide(seq, {
      sentAt: this.sentAtOf(seq) ?? now - this.opts.timeoutMs,
      ok: false,
      error: "no result from the tool",
    });
  }

  private setFault(message: string | undefined): void {
    if (message === this.faultMessage) return;
    this.faultMessage = message;
    this.opts.onFault(message);
  }

  private nextBackoff(): number {
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    return wait;
  }

  private scheduleRestart(ms: number): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => this.launch(), ms);
    this.restartTimer.unref?.();
  }
}
