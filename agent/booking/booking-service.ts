/**
 * The booking session: start with the arrest's details and a plan, take each position (retakes keep the
 * best), mark fingers that cannot be printed, seal into one ANSI/NIST-ITL record encrypted to the
 * bureau, and hand it to the spool. Everything a session holds is on disk, encrypted with the station
 * key, before a call returns, so a restart between two fingers loses nothing.
 *
 * Privacy: names and images stay in the session files and in the answers to the caller. Logs and events
 * carry the booking id, positions, counts, quality and durations only.
 */
import { randomBytes } from "node:crypto";
import type { GrayImage } from "../../drivers/fingerprint/image.js";
import { decodeGrayPng } from "../../drivers/fingerprint/png.js";
import type { SlapCapture, SlapKind, SlapScanner } from "../../drivers/fingerprint/slap-scanner.js";
import type { CaptureRequest, CaptureResult } from "../devices/fingerprint-service.js";
import type { EventData, EventType } from "../../contract/index.js";
import type { Clock, EventSink, Logger } from "../ports.js";
import {
  FGP,
  describePosition,
  isSlap,
  positionsFor,
  type Plan,
  type Position,
  type SlapPosition,
} from "./plan.js";
import { readJpegInfo } from "./jpeg-info.js";
import { previewPng } from "./preview.js";
import type { Annotate, StartBooking, TakeImpression } from "./schemas.js";
import { encryptToRecipient, transactionControlNumber, type BuildRecord } from "./seal.js";
import type { PositionState, SessionState, SessionStore } from "./session-store.js";
import type { Spool, SpoolEntry } from "./spool.js";
import { judgeImpression, type JudgeImpression } from "./verdict.js";
import { progressOf, qualitySummary, type Progress } from "./progress.js";

export class BookingError extends Error {
  constructor(
    /** not-found | conflict | incomplete | unsupported | sealing — the API maps these to statuses. */
    readonly code: "not-found" | "conflict" | "incomplete" | "unsupported" | "sealing",
    message: string,
  ) {
    super(message);
    this.name = "BookingError";
  }
}

export interface SingleFingerCapturer {
  capture(request: CaptureRequest): Promise<CaptureResult>;
}

export interface BookingServiceDeps {
  sessions: SessionStore;
  spool: Spool;
  clock: Clock;
  events: EventSink;
  logger: Logger;
  capturer?: SingleFingerCapturer;
  slapScanner?: SlapScanner;
  buildRecord: BuildRecord;
  recipient: string | undefined;
  ori: string;
  maxRejections: number;
  judge?: JudgeImpression;
  /** Called after a record is in the spool (the forwarder wakes up). */
  onSealed?: (entry: SpoolEntry) => void;
}

export interface ImpressionAnswer {
  position: Position;
  attempt: number;
  quality: number;
  nfiq?: number;
  accepted: boolean;
  reason?: string;
  /** This take is now the kept one (the best so far). */
  kept: boolean;
  /** The position needs no more takes (accepted, or the best kept after too many rejections). */
  done: boolean;
  flagged: boolean;
  preview: Buffer;
  progress: Progress;
}

const SLAP_KIND: Record<SlapPosition, SlapKind> = {
  "right-four": "right-four",
  "left-four": "left-four",
  "both-thumbs": "thumbs",
};

export class BookingService {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly judge: JudgeImpression;

  constructor(private readonly deps: BookingServiceDeps) {
    this.judge = deps.judge ?? judgeImpression;
  }

  start(input: StartBooking): { id: string; positions: Array<{ position: Position; words: string }> } {
    if (input.plan === "slaps" && !this.deps.slapScanner) {
      throw new BookingError("unsupported", "plan slaps needs a four-finger scanner, and none is configured");
    }
    if (input.plan === "tenprint-rolled") {
      throw new BookingError("unsupported", "no configured scanner takes rolled prints; use tenprint-flat");
    }
    if (input.plan === "tenprint-flat" && !this.deps.capturer) {
      throw new BookingError("unsupported", "no fingerprint scanner is configured");
    }
    const id = `bk-${randomBytes(10).toString("hex")}`;
    const now = new Date(this.deps.clock.now()).toISOString();
    const positions = positionsFor(input.plan);
    this.deps.sessions.create({
      id,
      plan: input.plan,
      person: input.person,
      createdAt: now,
      updatedAt: now,
      positions: positions.map((position) => ({ position, attempts: 0, rejections: 0, flagged: false })),
    });
    this.emit("booking.started", { booking: id, plan: input.plan, positions: positions.length });
    this.deps.logger.info({ booking: id, plan: input.plan }, "booking started");
    return { id, positions: positions.map((position) => ({ position, words: describePosition(position) })) };
  }

  list(): Progress[] {
    const open = this.deps.sessions.ids().flatMap((id) => {
      try {
        return [progressOf(this.deps.sessions.load(id), this.deps.maxRejections)];
      } catch (e) {
        this.deps.logger.error({ booking: id, err: (e as Error).message }, "booking session unreadable");
        return [];
      }
    });
    return open;
  }

  progress(id: string): Progress {
    return progressOf(this.load(id), this.deps.maxRejections);
  }

  async impression(id: string, request: TakeImpression): Promise<ImpressionAnswer> {
    return this.exclusive(id, async () => {
      const state = this.load(id);
      const slot = this.slot(state, request.position);
      if (slot.annotation) {
        throw new BookingError(
          "conflict",
          `${request.position} is marked ${slot.annotation}; it takes no print`,
        );
      }
      const taken = await this.take(state, slot, request);
      const verdict = this.judge(taken.image, taken.resolutionPpi);
      slot.attempts++;
      if (!verdict.accepted) slot.rejections++;
      const better =
        !slot.best ||
        (verdict.accepted && !slot.best.accepted) ||
        (verdict.accepted === slot.best.accepted && verdict.quality.score > slot.best.quality.score);
      const previous = slot.best?.file;
      if (better) {
        const file = `${request.position}.${slot.attempts}.sab`;
        this.deps.sessions.writeImage(id, file, taken.image);
        slot.best = {
          file,
          width: taken.image.width,
          height: taken.image.height,
          resolutionPpi: taken.resolutionPpi,
          quality: verdict.quality,
          ...(verdict.nfiq !== undefined ? { nfiq: verdict.nfiq } : {}),
          accepted: verdict.accepted,
          ...(verdict.reason ? { reason: verdict.reason } : {}),
          device: taken.device,
          capturedAt: new Date(this.deps.clock.now()).toISOString(),
          ...(taken.segments ? { segments: taken.segments } : {}),
        };
      }
      slot.flagged = !slot.best!.accepted && slot.rejections >= this.deps.maxRejections;
      state.updatedAt = new Date(this.deps.clock.now()).toISOString();
      this.deps.sessions.save(state);
      if (better && previous) this.deps.sessions.removeImage(id, previous);
      const progress = progressOf(state, this.deps.maxRejections);
      this.deps.logger.info(
        {
          booking: id,
          position: request.position,
          attempt: slot.attempts,
          quality: verdict.quality.score,
          accepted: verdict.accepted,
        },
        "booking impression taken",
      );
      return {
        position: request.position,
        attempt: slot.attempts,
        quality: verdict.quality.score,
        ...(verdict.nfiq !== undefined ? { nfiq: verdict.nfiq } : {}),
        accepted: verdict.accepted,
        ...(verdict.reason ? { reason: verdict.reason } : {}),
        ...(verdict.problem ? { problem: verdict.problem } : {}),
        kept: better,
        done: slot.best!.accepted || slot.flagged,
        flagged: slot.flagged,
        preview: previewPng(taken.image),
        progress,
      };
    });
  }

  async annotate(id: string, request: Annotate): Promise<Progress> {
    return this.exclusive(id, async () => {
      const state = this.load(id);
      const slot = this.slot(state, request.position);
      if (isSlap(request.position)) {
        throw new BookingError("unsupported", "mark single fingers, not a whole slap");
      }
      const previous = slot.best?.file;
      slot.annotation = request.reason;
      delete slot.best;
      slot.flagged = false;
      state.updatedAt = new Date(this.deps.clock.now()).toISOString();
      this.deps.sessions.save(state);
      if (previous) this.deps.sessions.removeImage(id, previous);
      this.deps.logger.info(
        { booking: id, position: request.position, reason: request.reason },
        "booking finger annotated",
      );
      return progressOf(state, this.deps.maxRejections);
    });
  }

  /** Adds (or replaces) the face photo that goes into Type-10. */
  async photo(id: string, jpeg: Buffer): Promise<Progress> {
    return this.exclusive(id, async () => {
      const state = this.load(id);
      let info;
      try {
        info = readJpegInfo(jpeg);
      } catch (e) {
        throw new BookingError("unsupported", `photo: ${(e as Error).message}`);
      }
      const previous = state.photo?.file;
      const file = `photo.${Date.now().toString(36)}.sab`;
      this.deps.sessions.writeBytes(id, file, jpeg);
      state.photo = { file, ...info, takenAt: new Date(this.deps.clock.now()).toISOString() };
      state.updatedAt = state.photo.takenAt;
      this.deps.sessions.save(state);
      if (previous && previous !== file) this.deps.sessions.removeImage(id, previous);
      this.deps.logger.info({ booking: id, width: info.width, height: info.height }, "booking photo added");
      return progressOf(state, this.deps.maxRejections);
    });
  }

  async abandon(id: string): Promise<void> {
    return this.exclusive(id, async () => {
      const state = this.load(id);
      this.deps.sessions.remove(id);
      this.emit("booking.abandoned", { booking: id, plan: state.plan });
      this.deps.logger.info({ booking: id }, "booking abandoned");
    });
  }

  async seal(id: string): Promise<SpoolEntry> {
    return this.exclusive(id, async () => {
      const state = this.load(id);
      const progress = progressOf(state, this.deps.maxRejections);
      if (progress.remaining.length > 0) {
        throw new BookingError(
          "incomplete",
          `not every position is done: ${progress.remaining.join(", ")} (take them or mark them)`,
        );
      }
      const started = performance.now();
      const sealedAt = new Date(this.deps.clock.now());
      const tcn = transactionControlNumber(this.deps.ori, id, sealedAt);
      const images = new Map<Position, GrayImage>();
      for (const p of state.positions)
        if (p.best) images.set(p.position, this.deps.sessions.readImage(id, p.best));
      const photo = state.photo ? this.deps.sessions.readBytes(id, state.photo.file) : undefined;
      let sealed: Uint8Array;
      try {
        const record = await this.deps.buildRecord({
          tcn,
          sealedAt,
          session: state,
          images,
          ...(photo ? { photo } : {}),
        });
        sealed = await encryptToRecipient(record, this.deps.recipient);
      } catch (e) {
        this.failed(id, "seal", e);
        throw new BookingError("sealing", (e as Error).message);
      }
      let entry: SpoolEntry;
      try {
        entry = this.deps.spool.add({ id, tcn, sealedAt: sealedAt.toISOString(), plan: state.plan }, sealed);
      } catch (e) {
        this.failed(id, "spool", e);
        throw e;
      }
      this.deps.sessions.remove(id);
      const durationS = Math.round((sealedAt.getTime() - Date.parse(state.createdAt)) / 1000);
      this.emit("booking.sealed", {
        booking: id,
        tcn,
        plan: state.plan,
        impressions: progress.taken,
        annotated: progress.annotated,
        flagged: progress.flagged,
        quality: qualitySummary(state),
        durationS,
        bytes: entry.bytes,
        sealMs: Math.round(performance.now() - started),
      });
      this.deps.logger.info({ booking: id, tcn, bytes: entry.bytes }, "booking sealed");
      this.deps.onSealed?.(entry);
      return entry;
    });
  }

  /** After a crash between writing the spool entry and removing the session: the seal completed. */
  recover(): void {
    for (const id of this.deps.spool.recover()) {
      this.deps.logger.warn({ booking: id }, "half-written sealed record removed; the session is still open");
    }
    for (const id of this.deps.sessions.ids()) {
      if (this.deps.spool.has(id)) this.deps.sessions.remove(id);
    }
  }

  /** An event that cannot be queued (full disk) must not turn a done seal into an error. */
  private emit<K extends EventType>(type: K, data: EventData[K]): void {
    try {
      this.deps.events.event(type, data);
    } catch (e) {
      this.deps.logger.error({ type, err: (e as Error).message }, "booking event not queued");
    }
  }

  private failed(id: string, stage: "seal" | "spool", e: unknown): void {
    const error = (e as { code?: string }).code ?? (e as Error).name;
    this.emit("booking.failed", { booking: id, stage, error });
    this.deps.logger.error({ booking: id, stage, error, err: (e as Error).message }, "booking seal failed");
  }

  private async take(
    state: SessionState,
    slot: PositionState,
    request: TakeImpression,
  ): Promise<{ image: GrayImage; resolutionPpi: number; device: string; segments?: SessionSegment[] }> {
    if (isSlap(slot.position)) {
      const scanner = this.deps.slapScanner;
      if (!scanner) throw new BookingError("unsupported", "no four-finger scanner is configured");
      const missing = state.positions
        .filter((p) => p.annotation && !isSlap(p.position))
        .map((p) => FGP[p.position]);
      const slap: SlapCapture = await scanner.captureSlap(SLAP_KIND[slot.position], {
        timeoutMs: request.timeoutMs ?? 15_000,
        missing,
      });
      return {
        image: slap.image,
        resolutionPpi: slap.resolutionPpi,
        device: scanner.driver,
        segments: slap.segments.map((s) => ({
          fgp: s.position,
          left: s.left,
          right: s.right,
          top: s.top,
          bottom: s.bottom,
        })),
      };
    }
    if (state.plan === "slaps")
      throw new BookingError("conflict", `plan slaps takes no single ${slot.position}`);
    const capturer = this.deps.capturer;
    if (!capturer) throw new BookingError("unsupported", "no fingerprint scanner is configured");
    const r = await capturer.capture({
      finger: slot.position,
      ...(request.device ? { device: request.device } : {}),
      ...(request.timeoutMs ? { timeoutMs: request.timeoutMs } : {}),
    });
    return { image: decodeGrayPng(r.png), resolutionPpi: r.resolutionPpi, device: r.device };
  }

  private load(id: string): SessionState {
    if (!this.deps.sessions.exists(id)) {
      if (this.deps.spool.has(id)) throw new BookingError("conflict", `booking ${id} is already sealed`);
      throw new BookingError("not-found", `no open booking ${id}`);
    }
    return this.deps.sessions.load(id);
  }

  private slot(state: SessionState, position: Position): PositionState {
    const slot = state.positions.find((p) => p.position === position);
    if (!slot) {
      throw new BookingError("conflict", `plan ${state.plan} has no position ${position}`);
    }
    return slot;
  }

  /** One operation per session at a time: two clicks on "capture" must not interleave their writes. */
  private async exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(fn);
    this.locks.set(id, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === run) this.locks.delete(id);
    }
  }
}

type SessionSegment = NonNullable<NonNullable<PositionState["best"]>["segments"]>[number];

export type { Plan };
