import type { LinkHealth } from "../../contract/index.js";
import type { LinkThresholds } from "../../config/links.js";
import type { ProbeOutcome } from "./types.js";

/**
 * The link's state machine, pure (no I/O, no timers; times are passed in).
 *
 * - Down, fast: a target is *silent* when its last `need` probes were all lost. need is downAfter rounds'
 *   worth of its probes, raised on a lossy link so that a run of chance losses that long stays below
 *   1 in 100,000 (at most 5x). The link is down as soon as fewer than `reliability` deciding targets answer,
 *   or at once when the carrier is gone.
 * - Everything else goes by rounds (one per interval), as in mwan3: `downAfter` rounds in a row past a
 *   threshold to enter degraded (or down on a very lossy window), `upAfter` rounds in a row to leave.
 */

const CHANCE_RUN = 1e-5;
const HISTORY = 64;
const ESTIMATE_OVER = 20;

export class TargetTracker {
  /** Consecutive lost probes, and when the first of them was sent. */
  run = 0;
  runStart: number | undefined;
  lastOkAt: number | undefined;
  lastError: string | undefined;
  private history: boolean[] = [];

  /** `base`: the run that means "silent" on a clean link (downAfter rounds' worth of this target's probes). */
  record(o: ProbeOutcome, base = Infinity): void {
    if (o.ok && this.run > 0 && this.run >= this.need(base)) {
      // That run was an outage, not the link's usual loss: keep it out of the loss estimate.
      this.history.splice(this.history.length - this.run, this.run);
    }
    this.history.push(o.ok);
    if (this.history.length > HISTORY) this.history.shift();
    if (o.ok) {
      this.run = 0;
      this.runStart = undefined;
      this.lastOkAt = Math.max(this.lastOkAt ?? 0, o.sentAt);
    } else {
      if (this.run === 0) this.runStart = o.sentAt;
      this.run++;
      this.lastError = o.error;
    }
  }

  /** Loss rate of the probes just before the current run of losses (0 without enough evidence). */
  lossBeforeRun(): number {
    const before = this.history.slice(0, Math.max(0, this.history.length - this.run)).slice(-ESTIMATE_OVER);
    if (before.length < 10) return 0;
    return before.filter((ok) => !ok).length / before.length;
  }

  need(base: number): number {
    const p = this.lossBeforeRun();
    if (p <= 0) return base;
    if (p >= 1) return base * 5;
    return Math.min(base * 5, Math.max(base, Math.ceil(Math.log(CHANCE_RUN) / Math.log(p))));
  }

  silent(base: number): boolean {
    return this.run >= this.need(base);
  }

  reset(): void {
    this.run = 0;
    this.runStart = undefined;
    this.history = [];
  }
}

export interface WindowVerdictInput {
  lossPct: number | null;
  rttMedianMs: number | null;
  /** Enough samples in the window to judge quality. */
  judged: boolean;
}

export type DownKind = "carrier" | "outage" | "loss";

export interface Transition {
  from: LinkHealth;
  to: LinkHealth;
  at: number;
  reason: string;
  /** Send time of the first failing probe behind this transition, when there is one. */
  firstFailAt?: number;
  kind?: DownKind;
  /** The state left: since when, and why it was entered. */
  previous?: { since: number; reason?: string };
}

export interface HealthSettings {
  downAfter: number;
  upAfter: number;
  thresholds: LinkThresholds;
}

export class HealthMachine {
  state: LinkHealth = "unknown";
  since: number;
  reason: string | undefined;
  downKind: DownKind | undefined;
  private enterStreak = 0;
  private lossDownStreak = 0;
  private leaveStreak = 0;
  /** When the current run of good rounds began (to forget the outage's samples on recovery). */
  recoveryStart: number | undefined;

  constructor(
    private readonly s: HealthSettings,
    now: number,
  ) {
    this.since = now;
  }

  /** Called on every outcome and every carrier reading: the fast path to down. */
  reachability(
    now: number,
    r: { carrier: boolean | null; exists: boolean; reachable: boolean; cause: string; firstFailAt?: number },
  ): Transition | undefined {
    if (!r.exists) return this.goDown(now, "carrier", r.cause, r.firstFailAt);
    if (r.carrier === false) return this.goDown(now, "carrier", "no carrier", r.firstFailAt);
    if (!r.reachable) return this.goDown(now, "outage", r.cause, r.firstFailAt);
    return undefined;
  }

  /** Called when a round closes: `good` when enough deciding targets answered in it. */
  round(now: number, roundStart: number, good: boolean, w: WindowVerdictInput): Transition | undefined {
    const t = this.s.thresholds;
    if (this.state === "down") {
      const lossOk = this.downKind !== "loss" || (w.lossPct ?? 100) < t.down.leave.lossPct;
      const rttOk = this.downKind !== "loss" || below(w.rttMedianMs, t.down.leave.rttMs);
      if (good && lossOk && rttOk) {
        if (this.leaveStreak === 0) this.recoveryStart = roundStart;
        this.leaveStreak++;
      } else {
        this.leaveStreak = 0;
        this.recoveryStart = undefined;
      }
      if (this.leaveStreak < this.s.upAfter) return undefined;
      const degradedNow = this.downKind === "loss" && w.judged && pastEnter(w, t.degraded.enter);
      return this.move(
        now,
        degradedNow ? "degraded" : "up",
        degradedNow ? describe(w, t.degraded.enter) : "answering again",
      );
    }
    if (!good && this.state === "unknown") return undefined;
    if (w.judged && pastEnter(w, t.down.enter)) {
      if (++this.lossDownStreak >= this.s.downAfter) {
        return this.goDown(now, "loss", describe(w, t.down.enter), undefined);
      }
    } else {
      this.lossDownStreak = 0;
    }
    if (this.state === "degraded") {
      if (
        w.judged &&
        below(w.lossPct, t.degraded.leave.lossPct) &&
        below(w.rttMedianMs, t.degraded.leave.rttMs)
      ) {
        this.leaveStreak++;
      } else {
        this.leaveStreak = 0;
      }
      return this.leaveStreak >= this.s.upAfter
        ? this.move(now, "up", "figures back under the leave thresholds")
        : undefined;
    }
    if (w.judged && pastEnter(w, t.degraded.enter)) {
      if (++this.enterStreak >= this.s.downAfter)
        return this.move(now, "degraded", describe(w, t.degraded.enter));
    } else {
      this.enterStreak = 0;
    }
    if (this.state === "unknown" && good) return this.move(now, "up", "answering");
    return undefined;
  }

  /** Nothing can probe (tool missing, names unresolved): the health is unknown, not down. */
  setUnknown(now: number, reason: string): Transition | undefined {
    if (this.state === "unknown" && this.reason === reason) return undefined;
    const tr: Transition = { from: this.state, to: "unknown", at: now, reason };
    if (this.state !== "unknown") this.since = now;
    this.state = "unknown";
    this.reason = reason;
    this.downKind = undefined;
    this.enterStreak = this.lossDownStreak = this.leaveStreak = 0;
    return tr;
  }

  private goDown(
    now: number,
    kind: DownKind,
    reason: string,
    firstFailAt: number | undefined,
  ): Transition | undefined {
    if (this.state === "down") {
      // Still down; a carrier loss is the better explanation of an outage already under way.
      if (kind === "carrier" && this.downKind !== "carrier") {
        this.downKind = kind;
        this.reason = reason;
      }
      this.leaveStreak = 0;
      this.recoveryStart = undefined;
      return undefined;
    }
    this.downKind = kind;
    return this.move(now, "down", reason, firstFailAt);
  }

  private move(now: number, to: LinkHealth, reason: string, firstFailAt?: number): Transition {
    const tr: Transition = {
      from: this.state,
      to,
      at: now,
      reason,
      firstFailAt,
      previous: { since: this.since, reason: this.reason },
    };
    if (to === "down") tr.kind = this.downKind;
    if (to !== "down") this.downKind = undefined;
    this.state = to;
    this.since = now;
    this.reason = to === "up" ? undefined : reason;
    this.enterStreak = 0;
    this.lossDownStreak = 0;
    this.leaveStreak = 0;
    return tr;
  }
}

function below(v: number | null, limit: number | undefined): boolean {
  return limit === undefined || v === null || v < limit;
}

function pastEnter(w: WindowVerdictInput, limit: { lossPct: number; rttMs?: number }): boolean {
  return (
    (w.lossPct ?? 0) >= limit.lossPct ||
    (limit.rttMs !== undefined && w.rttMedianMs !== null && w.rttMedianMs >= limit.rttMs)
  );
}

function describe(w: WindowVerdictInput, limit: { lossPct: number; rttMs?: number }): string {
  if ((w.lossPct ?? 0) >= limit.lossPct) return `loss ${w.lossPct} % (limit ${limit.lossPct} %)`;
  return `median RTT ${w.rttMedianMs} ms (limit ${limit.rttMs} ms)`;
}
