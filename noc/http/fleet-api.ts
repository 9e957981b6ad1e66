import { z } from "zod";
import { TOPIC_LEVEL } from "../../contract/index.js";
import { hasRole, inScope, type Principal, type Role } from "../auth/roles.js";
import type { Fleet } from "../fleet.js";
import type { FleetOps } from "../fleet-ops/fleet-ops.js";
import type { FragmentScope } from "../fleet-ops/config-push.js";

/** /api/v1/fleet/...: config releases, rollouts and versions (issue 17). Mounted by api.ts. */

export interface FleetApiDeps {
  fleet: Fleet;
  fleetOps: FleetOps | undefined;
  audit: (who: Principal, action: string, target: string, result: string, detail?: string) => Promise<void>;
}

export interface FleetRequest {
  params: Record<string, string>;
  body: Buffer;
  who: Principal;
}

export class FleetApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const Version = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,63}$/,
    "1-64 of A-Z a-z 0-9 . _ : + -, starting with a letter or digit",
  );
const Station = z.string().regex(TOPIC_LEVEL, "a station id (one topic level)");
const District = z.string().min(1).max(100);

const ConfigBody = z.strictObject({
  version: Version,
  scope: z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("all") }),
    z.strictObject({ kind: z.literal("district"), district: District }),
    z.strictObject({ kind: z.literal("station"), station: Station }),
  ]),
  settings: z.record(z.string(), z.unknown()),
});

const RingName = z.string().min(1).max(64);
const Ring = z.union([
  z.strictObject({ name: RingName, stations: z.array(Station).min(1).max(1000) }),
  z.strictObject({ name: RingName, district: District }),
  z.strictObject({ name: RingName, percent: z.number().min(0.1).max(100) }),
  z.strictObject({ name: RingName, all: z.literal(true) }),
]);

const RolloutBody = z.strictObject({
  version: z
    .string()
    .regex(
      /^(?:\d{1,5}:)?[0-9][A-Za-z0-9.+~]{0,63}(?:-[A-Za-z0-9.+~]{1,32})?$/,
      "a Debian version, e.g. 0.2.0-1",
    ),
  rings: z.array(Ring).min(1).max(20),
  soakMin: z
    .number()
    .int()
    .min(0)
    .max(7 * 1440),
  maxFailurePct: z.number().min(0).max(100),
  deadlineS: z.number().int().min(30).max(3600).default(180),
});

function body<T extends z.ZodType>(schema: T, raw: Buffer): z.infer<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new FleetApiError(400, "body is not JSON");
  }
  const r = schema.safeParse(parsed);
  if (!r.success)
    throw new FleetApiError(
      400,
      r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
    );
  return r.data;
}

/** A refusal by the release or rollout logic: a conflict with what exists, or bad input. */
function refused(e: unknown): FleetApiError {
  const message = e instanceof Error ? e.message : String(e);
  return new FleetApiError(/exists|running|is (halted|done)/.test(message) ? 409 : 400, message);
}

export class FleetApi {
  constructor(private readonly d: FleetApiDeps) {}

  routes(): {
    method: "GET" | "POST";
    path: string;
    handle(r: FleetRequest): Promise<unknown>;
  }[] {
    return [
      { method: "GET", path: "/fleet/versions", handle: async (r) => this.versions(r.who) },
      { method: "GET", path: "/fleet/config", handle: async (r) => this.configOverview(r.who) },
      { method: "POST", path: "/fleet/config", handle: (r) => this.release(r.who, r.body) },
      {
        method: "GET",
        path: "/fleet/rollouts",
        handle: async () => ({ rollouts: this.ops().rollouts.list() }),
      },
      { method: "POST", path: "/fleet/rollouts", handle: (r) => this.startRollout(r.who, r.body) },
      {
        method: "POST",
        path: "/fleet/rollouts/:rollout/halt",
        handle: (r) => this.halt(r.who, r.params.rollout ?? ""),
      },
    ];
  }

  private ops(): FleetOps {
    if (!this.d.fleetOps)
      throw new FleetApiError(
        409,
        "fleet operations are driven by another NOC instance (the one started with --fleet-ops)",
      );
    return this.d.fleetOps;
  }

  private require(who: Principal, role: Role): void {
    if (!hasRole(who, role))
      throw new FleetApiError(403, `this needs the ${role} role; ${who.name} is ${who.role}`);
  }

  private versions(who: Principal) {
    const ops = this.ops();
    return { district: who.district ?? null, ...ops.versions(who.district) };
  }

  private configOverview(who: Principal) {
    const ops = this.ops();
    const mine = ops.pushStations(who.district);
    const ids = new Set(mine.map((s) => s.id));
    const view = ops.config.overview(mine);
    if (who.district === undefined) return view;
    return {
      releases: view.releases.filter(
        (r) =>
          r.scope.kind === "all" ||
          (r.scope.kind === "district" && r.scope.district === who.district) ||
          (r.scope.kind === "station" && ids.has(r.scope.station)),
      ),
      deliveries: Object.fromEntries(Object.entries(view.deliveries).filter(([id]) => ids.has(id))),
    };
  }

  private async release(who: Principal, raw: Buffer) {
    this.require(who, "admin");
    const ops = this.ops();
    const b = body(ConfigBody, raw);
    const scope: FragmentScope = b.scope;
    // A district's admin releases for their district or its stations, never for the whole state.
    if (who.district !== undefined) {
      const district =
        scope.kind === "district"
          ? scope.district
          : scope.kind === "station"
            ? this.d.fleet.stations.get(scope.station)?.row.district
            : undefined;
      if (scope.kind === "all" || !inScope(who, district))
        throw new FleetApiError(403, `${who.name} may release config only within district ${who.district}`);
    }
    if (scope.kind === "station" && !this.d.fleet.stations.has(scope.station))
      throw new FleetApiError(404, `no station ${scope.station}`);
    const target = scope.kind === "all" ? "all" : scope.kind === "district" ? scope.district : scope.station;
    try {
      const r = await ops.config.release({ version: b.version, scope, settings: b.settings, by: who.name });
      await this.d.audit(who, "fleet.config.release", target, "ok", `${r.version} sha256 ${r.sha256}`);
      return { release: r };
    } catch (e) {
      const err = refused(e);
      await this.d.audit(who, "fleet.config.release", target, `refused: ${err.message}`, b.version);
      throw err;
    }
  }

  private async startRollout(who: Principal, raw: Buffer) {
    this.require(who, "admin");
    const ops = this.ops();
    if (who.district !== undefined)
      throw new FleetApiError(403, "a rollout spans the state; a district-scoped admin cannot start one");
    const b = body(RolloutBody, raw);
    const rings = b.rings.map((r) => r.name).join(", ");
    try {
      const state = await ops.rollouts.start({ ...b, by: who.name });
      await this.d.audit(who, "fleet.rollout.start", state.spec.id, "ok", `${b.version} rings: ${rings}`);
      return { rollout: ops.rollouts.list().find((r) => r.id === state.spec.id) };
    } catch (e) {
      const err = refused(e);
      await this.d.audit(who, "fleet.rollout.start", b.version, `refused: ${err.message}`, rings);
      throw err;
    }
  }

  private async halt(who: Principal, id: string) {
    this.require(who, "operator");
    const ops = this.ops();
    if (!/^[a-z0-9]{1,32}$/.test(id)) throw new FleetApiError(400, "rollout: not a rollout id");
    try {
      await ops.rollouts.halt(id, who.name);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const err = new FleetApiError(message.startsWith("no rollout") ? 404 : 409, message);
      await this.d.audit(who, "fleet.rollout.halt", id, `refused: ${message}`);
      throw err;
    }
    await this.d.audit(who, "fleet.rollout.halt", id, "ok");
    return { rollout: ops.rollouts.list().find((r) => r.id === id) };
  }
}
