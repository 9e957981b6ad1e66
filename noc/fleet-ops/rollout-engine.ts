import type { CommandReply } from "../../contract/index.js";
import {
  recordOutcome,
  sameVersion,
  startRollout,
  step,
  summary,
  type RingSpec,
  type RolloutState,
  type StationInfo,
} from "../rollouts/plan.js";

export interface RolloutStation extends StationInfo {
  online: boolean;
  version: string | null;
}

export interface RolloutEngineDeps {
  stations(): RolloutStation[];
  sendUpdate(station: string, args: { version: string; deadlineS: number }): Promise<CommandReply>;
  load(): Promise<string | undefined>;
  save(json: string): Promise<void>;
  now(): number;
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void };
}

export interface RolloutRequest {
  version: string;
  rings: RingSpec[];
  soakMin: number;
  maxFailurePct: number;
  /** How long the runner on each station waits for the new version to be healthy. */
  deadlineS: number;
  by: string;
}

/**
 * Drives rollouts (noc/rollouts/plan.ts decides): persists every step, sends `update` to the stations
 * the plan names, and feeds back the stations' update.* events. One rollout runs at a time.
 */
export class RolloutEngine {
  private rollouts: (RolloutState & {
    createdBy: string;
    createdAt: number;
    deadlineS: number;
    log: string[];
  })[] = [];

  constructor(private readonly d: RolloutEngineDeps) {}

  async load(): Promise<void> {
    const text = await this.d.load();
    if (text) this.rollouts = JSON.parse(text) as typeof this.rollouts;
  }

  async start(req: RolloutRequest): Promise<RolloutState> {
    if (this.rollouts.some((r) => r.status === "running"))
      throw new Error("a rollout is running; halt it first");
    const id = `r${this.d.now().toString(36)}`;
    const state = startRollout(
      {
        id,
        version: req.version,
        rings: req.rings,
        soakMs: req.soakMin * 60_000,
        maxFailurePct: req.maxFailurePct,
        stationDeadlineMs: Math.max(req.deadlineS * 1000 * 3, 15 * 60_000),
      },
      this.d.stations(),
    );
    this.rollouts.push({
      ...state,
      createdBy: req.by,
      createdAt: this.d.now(),
      deadlineS: req.deadlineS,
      log: [],
    });
    await this.persist();
    return state;
  }

  async halt(id: string, by: string): Promise<void> {
    const r = this.rollouts.find((x) => x.spec.id === id);
    if (!r) throw new Error(`no rollout ${id}`);
    if (r.status !== "running") throw new Error(`rollout ${id} is ${r.status}`);
    r.status = "halted";
    r.haltReason = `halted by ${by}`;
    r.haltCode = "halted-by";
    r.haltParams = { who: by };
    await this.persist();
  }

  async tick(): Promise<void> {
    const r = this.rollouts.find((x) => x.status === "running");
    if (!r) return;
    const byId = new Map(this.d.stations().map((s) => [s.id, s]));
    const actions = step(
      r,
      (id) => ({ online: byId.get(id)?.online ?? false, version: byId.get(id)?.version ?? null }),
      this.d.now(),
    );
    for (const a of actions) {
      if (a.kind === "notice") {
        r.log.push(`${new Date(this.d.now()).toISOString()} ${a.text}`);
        this.d.log.info({ rollout: r.spec.id }, a.text);
        continue;
      }
      void this.d
        .sendUpdate(a.station, { version: r.spec.version, deadlineS: r.deadlineS })
        .then((reply) => {
          if (!reply.ok) recordOutcome(r, a.station, "failed", reply.error ?? "refused");
        })
        .catch((e: Error) => this.d.log.warn({ station: a.station, err: e.message }, "update not answered"))
        .finally(() => void this.persist());
    }
    if (actions.length > 0) await this.persist();
  }

  /** update.applied / update.rolled-back / update.failed from a station. */
  onEvent(station: string, type: string, data: { to?: unknown; reason?: unknown }): void {
    const r = this.rollouts.find((x) => x.status === "running");
    if (
      !r ||
      typeof data.to !== "string" ||
      (!sameVersion(data.to, r.spec.version) && data.to !== r.spec.version)
    )
      return;
    const reason = typeof data.reason === "string" ? data.reason : "";
    if (type === "update.rolled-back") recordOutcome(r, station, "rolled-back", reason);
    else if (type === "update.failed") recordOutcome(r, station, "failed", reason);
    else if (type === "update.applied") recordOutcome(r, station, "applied", reason);
    else return;
    void this.persist();
  }

  list(): ReturnType<RolloutEngine["view"]>[] {
    return this.rollouts.map((r) => this.view(r));
  }

  private view(r: (typeof this.rollouts)[number]) {
    return {
      id: r.spec.id,
      version: r.spec.version,
      status: r.status,
      haltReason: r.haltReason ?? null,
      haltReasonCode: r.haltCode ?? null,
      haltReasonParams: r.haltParams ?? null,
      createdBy: r.createdBy,
      createdAt: new Date(r.createdAt).toISOString(),
      ...summary(r),
      log: r.log.slice(-50),
    };
  }

  private persist(): Promise<void> {
    return this.d.save(JSON.stringify(this.rollouts));
  }
}
