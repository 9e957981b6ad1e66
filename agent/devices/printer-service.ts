/**
 * Owns the configured ESC/POS printers: publishes each one's health (retained, device/<id>), turns
 * status changes into events (printer.paper-out, printer.cover-open, printer.faulted, printer.recovered)
 * and runs print jobs for the local API and the CLI, reporting failed ones as print.failed.
 */
import type { z } from "zod";
import type { PrinterDeviceConfig } from "../../config/devices.js";
import type { DeviceState } from "../../contract/index.js";
import { PROFILES, type PrinterProfile } from "../../drivers/printer/document.js";
import {
  describeTransport,
  lineBytesPerSecond,
  openPrinterStream,
  type PrinterTransportSpec,
} from "../../drivers/printer/open-stream.js";
import { EscPosPrinter, type JobResult, type PrinterSnapshot } from "../../drivers/printer/printer-device.js";
import { parseHostPort } from "../../drivers/transport/tcp.js";
import type { ByteStream } from "../../drivers/transport/byte-stream.js";
import type { Clock, DeviceView, EventSink, Logger, RetainedSink, Service } from "../ports.js";
import { inProcessSlipEncoder, type SlipEncoderHandle } from "./slip-encoder.js";

export type PrinterConfig = z.output<typeof PrinterDeviceConfig>;

export interface PrinterServiceDeps {
  station: string;
  printers: PrinterConfig[];
  retained: RetainedSink;
  events: EventSink;
  clock: Clock;
  log: Logger;
  /** The fixed labels on slips (ui.language); English when absent. */
  slipLanguage?: "en" | "hi";
  /** How slips become bytes: the agent hands in a worker thread's (slip-worker-pool.ts); in this thread otherwise. */
  encoder?: SlipEncoderHandle;
  /** Tests and the demo hand in their own transports; real serial/TCP/device files otherwise. */
  openStream?: (cfg: PrinterConfig, spec: PrinterTransportSpec) => Promise<ByteStream>;
}

export type SlipOutcome =
  | { ok: true; printer: string; bytes: number; durationMs: number; skipped: string[] }
  | { ok: false; printer: string; reason: string; detail: string; skipped: string[] };

export function transportOf(cfg: PrinterConfig): PrinterTransportSpec | undefined {
  if (cfg.port) return { kind: "serial", path: cfg.port, baud: cfg.baud };
  if (cfg.tcp) return { kind: "tcp", ...parseHostPort(cfg.tcp) };
  if (cfg.device) return { kind: "device", path: cfg.device };
  return undefined;
}

export function profileOf(cfg: PrinterConfig): PrinterProfile {
  const base = PROFILES[cfg.paper];
  return {
    ...base,
    widthDots: cfg.widthDots ?? base.widthDots,
    codePage: cfg.codePage,
    ...(cfg.codePageNumber !== undefined ? { codePageNumber: cfg.codePageNumber } : {}),
    nativeQr: cfg.nativeQr ?? base.nativeQr,
    cut: cfg.cut,
  };
}

interface Entry {
  cfg: PrinterConfig;
  spec: PrinterTransportSpec | undefined;
  device: EscPosPrinter | undefined;
  since: number;
  state: DeviceState;
  /** Set once the printer answered; "recovered" and "faulted" events only make sense after that. */
  seen: boolean;
}

export class PrinterService implements Service, DeviceView {
  readonly name = "printers";
  private readonly entries = new Map<string, Entry>();
  private readonly encoder: SlipEncoderHandle;
  private fontProblemLogged = false;

  constructor(private readonly deps: PrinterServiceDeps) {
    this.encoder = deps.encoder ?? { encode: inProcessSlipEncoder() };
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  states(): DeviceState[] {
    return [...this.entries.values()].map((e) => e.state);
  }

  async start(): Promise<void> {
    for (const cfg of this.deps.printers) {
      const spec = transportOf(cfg);
      const now = this.deps.clock.now();
      const entry: Entry = {
        cfg,
        spec,
        device: undefined,
        since: now,
        seen: false,
        state: this.stateOf(cfg, spec, now, { health: "absent", reason: "not-connected" }),
      };
      this.entries.set(cfg.id, entry);
      if (!spec) {
        entry.state = this.stateOf(cfg, spec, now, {
          health: "absent",
          reason: "not-connected",
          detail: "no port, tcp or device configured",
        });
        this.deps.retained.device(cfg.id, entry.state);
        continue;
      }
      const open = this.deps.openStream;
      const bps = lineBytesPerSecond(spec);
      entry.device = new EscPosPrinter({
        openStream: open ? () => open(cfg, spec) : () => openPrinterStream(spec),
        pollIntervalMs: cfg.pollIntervalMs,
        replyTimeoutMs: cfg.replyTimeoutMs,
        ...(bps ? { bytesPerSecond: bps } : {}),
        now: () => this.deps.clock.now(),
      });
      entry.device.onChange((next, prev) => this.changed(entry, next, prev));
      this.deps.retained.device(cfg.id, entry.state);
      // One printer failing to start must not keep the others (or the agent) from starting.
      await entry.device
        .start()
        .catch((e: Error) => this.deps.log.warn({ device: cfg.id, err: e.message }, "printer start failed"));
    }
  }

  async stop(): Promise<void> {
    await this.encoder.close?.();
    await Promise.all(
      [...this.entries.values()].flatMap((e) => (e.device ? [e.device.stop().catch(() => undefined)] : [])),
    );
  }

  /** The printer a job goes to: the one named, else the first configured. */
  resolve(id?: string): string | undefined {
    if (id) return this.entries.has(id) ? id : undefined;
    return this.entries.keys().next().value;
  }

  /** Throws TemplateDataError for bad data (the caller's mistake); a printer problem is a failed outcome. */
  async printSlip(template: string, data: unknown, printerId?: string): Promise<SlipOutcome> {
    const id = this.resolve(printerId);
    const entry = id ? this.entries.get(id) : undefined;
    if (!entry || !id) throw new Error(printerId ? `no printer "${printerId}"` : "no printer configured");
    const job = await this.encoder.encode({
      template,
      data,
      profile: profileOf(entry.cfg),
      fonts: {
        ...(entry.cfg.fonts?.latin ? { latin: entry.cfg.fonts.latin } : {}),
        ...(entry.cfg.fonts?.devanagari ? { devanagari: entry.cfg.fonts.devanagari } : {}),
      },
      language: this.deps.slipLanguage ?? "en",
    });
    if (job.fontProblem && !this.fontProblemLogged) {
      this.fontProblemLogged = true;
      this.deps.log.warn(
        { err: job.fontProblem },
        "no fonts for text outside the code page; such lines are left out",
      );
    }
    if (!entry.device) {
      return this.failed(
        entry,
        template,
        { reason: "not-connected", detail: entry.state.reason ?? "no transport" },
        job.skipped,
      );
    }
    const result = await entry.device.print(job.parts);
    if (!result.ok) return this.failed(entry, template, result, job.skipped);
    this.deps.log.info({ device: id, template, bytes: result.bytes, ms: result.durationMs }, "slip printed");
    return {
      ok: true,
      printer: id,
      bytes: result.bytes,
      durationMs: result.durationMs,
      skipped: job.skipped,
    };
  }

  private failed(
    entry: Entry,
    template: string,
    r: Pick<Extract<JobResult, { ok: false }>, "reason" | "detail"> & { bytesSent?: number },
    skipped: string[],
  ): SlipOutcome {
    const data = {
      device: entry.cfg.id,
      template,
      reason: r.reason,
      detail: r.detail,
      bytesSent: r.bytesSent ?? 0,
    };
    this.deps.events.event("print.failed", data);
    this.deps.log.warn(data, "print failed");
    return { ok: false, printer: entry.cfg.id, reason: r.reason, detail: r.detail, skipped };
  }

  private changed(entry: Entry, next: PrinterSnapshot, prev: PrinterSnapshot): void {
    const now = this.deps.clock.now();
    if (next.health !== prev.health || next.reason !== prev.reason) entry.since = now;
    entry.state = this.stateOf(entry.cfg, entry.spec, entry.since, next);
    this.deps.retained.device(entry.cfg.id, entry.state);
    const device = entry.cfg.id;
    const wasFault = prev.health === "faulted" || (prev.health === "absent" && entry.seen);
    if (next.reason !== prev.reason && next.health === "faulted") {
      const type =
        next.reason === "paper-out"
          ? "printer.paper-out"
          : next.reason === "cover-open"
            ? "printer.cover-open"
            : "printer.faulted";
      this.deps.events.event(type, { device, reason: next.reason, detail: next.detail });
    } else if (next.health === "absent" && entry.seen && prev.health !== "absent") {
      this.deps.events.event("printer.faulted", { device, reason: next.reason, detail: next.detail });
    } else if ((next.health === "ready" || next.health === "busy") && wasFault) {
      this.deps.events.event("printer.recovered", { device, after: prev.reason });
    }
    if (next.status?.paper === "near-end" && prev.status?.paper !== "near-end") {
      this.deps.events.event("printer.paper-near-end", { device });
    }
    if (
      next.health === "ready" ||
      next.health === "busy" ||
      (next.health === "faulted" && next.reason !== "no-response")
    ) {
      entry.seen = true;
    }
  }

  private stateOf(
    cfg: PrinterConfig,
    spec: PrinterTransportSpec | undefined,
    since: number,
    s: PrinterSnapshot,
  ): DeviceState {
    const iso = (ms: number): string => new Date(ms).toISOString();
    const st = s.status;
    return {
      station: this.deps.station,
      device: cfg.id,
      kind: "printer",
      driver: "escpos",
      health: s.health,
      since: iso(since),
      time: iso(this.deps.clock.now()),
      ...(s.reason ? { reason: s.detail ? `${s.reason}: ${s.detail}` : s.reason } : {}),
      ...(spec ? { identity: { path: describeTransport(spec) } } : {}),
      ...(st
        ? {
            status: {
              online: st.online,
              paper: st.paper,
              coverOpen: st.coverOpen,
              cutterError: st.cutterError,
              unrecoverableError: st.unrecoverableError,
              raw: st.raw.map((b) => b.toString(16).padStart(2, "0")).join(" "),
            },
          }
        : {}),
    };
  }
}
