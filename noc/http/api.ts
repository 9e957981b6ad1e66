import { z } from "zod";
import { hasRole, inScope, type Principal, type Role } from "../auth/roles.js";
import { COMMAND_NAMES, TOPIC_LEVEL } from "../../contract/index.js";
import type { StationCommands } from "../station-commands.js";
import type { CodedError } from "../error-codes.js";
import type { FleetOps } from "../fleet-ops/fleet-ops.js";
import { FleetApi, FleetApiError } from "./fleet-api.js";
import { CsvLangQuery, rankingCsv, stationsCsv } from "../csv.js";
import type { Fleet } from "../fleet.js";
import { figures, rankDistricts, sumByStation, NO_DISTRICT, type StationPeriod } from "../ranking.js";
import type { CollectorStats } from "../stats.js";
import type { Storage } from "../storage/index.js";
import { dayBounds, dayKey, daysOfMonth, DAY, MONTH, monthKey } from "../time.js";
import { detail, eventView, gapView, list, summary } from "../views.js";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The error as a code with parameters, for a dashboard in another language (error-codes.ts). */
    readonly coded?: CodedError,
  ) {
    super(message);
  }
}

export type ApiResult = { json: unknown } | { csv: string; filename: string };

export interface ApiDeps {
  fleet: Fleet;
  storage: Storage;
  stats: CollectorStats;
  commands: StationCommands;
  /** Config releases and rollouts, when this instance drives them. */
  fleetOps?: FleetOps | undefined;
  timeZone: string;
  now: () => number;
  /** Records an action in the audit log (who, what, on what, outcome). */
  audit: (who: Principal, action: string, target: string, result: string, detail?: string) => Promise<void>;
  /** Extra facts for /api/v1/collector (connection, instance, storage kind). */
  status: () => Record<string, unknown>;
}

const Paging = {
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
};
const StationsQuery = z.object({
  ...Paging,
  status: z.enum(["up", "down", "unknown", "dark"]).optional(),
  district: z.string().max(100).optional(),
  q: z.string().max(100).optional(),
  faulted: z.enum(["1", "true"]).optional(),
  sort: z.enum(["id", "since", "-since", "district"]).optional(),
});
const MonthQuery = z.object({ month: z.string().regex(MONTH, "month must be YYYY-MM").optional() });
const MonthPaged = MonthQuery.extend({
  ...Paging,
  district: z.string().max(100).optional(),
  sort: z.enum(["uptime", "station"]).optional(),
});
const RangeQuery = z.object({
  from: z.string().regex(DAY, "from must be YYYY-MM-DD").optional(),
  to: z.string().regex(DAY, "to must be YYYY-MM-DD").optional(),
});
const LimitQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const CommandBody = z.object({ args: z.record(z.string(), z.unknown()).optional() }).strict();

export function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const detail = r.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ");
    throw new HttpError(400, detail, { code: "invalid-input", params: { detail } });
  }
  return r.data;
}

export interface Request {
  params: Record<string, string>;
  query: Record<string, string>;
  body: Buffer;
  /** Who asks (authenticated by noc/auth/gate.ts); `query` already holds their district scope. */
  who: Principal;
}

export interface Route {
  method: "GET" | "POST";
  /** Below /api/v1; `:name` matches one path segment. */
  path: string;
  handle(r: Request): Promise<ApiResult> | ApiResult;
}

const json = async (v: unknown): Promise<ApiResult> => ({ json: await v });

/** Matches a route's segments against the request's; returns the named parameters, or undefined. */
function match(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, seg] of pattern.entries()) {
    const part = parts[i] as string;
    if (seg.startsWith(":")) params[seg.slice(1)] = part;
    else if (seg !== part) return undefined;
  }
  return params;
}

/** Path segments below /api/v1, decoded; a malformed `%` escape is the client's mistake (400). */
function apiPath(path: string): string[] {
  let parts: string[];
  try {
    parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new HttpError(400, "malformed percent-escape in the path");
  }
  if (parts[0] !== "api" || parts[1] !== "v1") throw new HttpError(404, "not found", { code: "not-found" });
  return parts.slice(2);
}

/** The JSON API behind the dashboard (documented in docs/noc.md). Read-only except commands. */
export class Api {
  private routes: (Route & { segments: string[] })[];

  constructor(private readonly d: ApiDeps) {
    const table: Route[] = [
      { method: "GET", path: "/summary", handle: (r) => json(this.summary(r.who)) },
      { method: "GET", path: "/stations", handle: (r) => json(this.stations(r.query)) },
      {
        method: "GET",
        path: "/dark",
        handle: (r) => json(this.stations({ sort: "-since", ...r.query, status: "dark" })),
      },
      { method: "GET", path: "/collector", handle: (r) => json(this.collector(r.who)) },
      { method: "POST", path: "/collector/reset-lag", handle: (r) => this.resetLag(r.who) },
      { method: "GET", path: "/ranking", handle: (r) => json(this.ranking(r.query)) },
      { method: "GET", path: "/ranking.csv", handle: (r) => this.rankingCsv(r.query) },
      { method: "GET", path: "/availability", handle: (r) => json(this.availability(r.query)) },
      { method: "GET", path: "/availability.csv", handle: (r) => this.availabilityCsv(r.query) },
      { method: "GET", path: "/stations/:id", handle: (r) => json(this.station(r.params.id)) },
      {
        method: "GET",
        path: "/stations/:id/timeline",
        handle: (r) => json(this.timeline(r.params.id, r.query)),
      },
      { method: "GET", path: "/stations/:id/events", handle: (r) => json(this.events(r.params.id, r.query)) },
      { method: "GET", path: "/stations/:id/gaps", handle: (r) => json(this.gapList(r.params.id, r.query)) },
      {
        method: "GET",
        path: "/stations/:id/availability",
        handle: (r) => json(this.stationAvailability(r.params.id, r.query)),
      },
      {
        method: "POST",
        path: "/stations/:id/commands/:name",
        handle: (r) => this.command(r.params.id as string, r.params.name as string, r.body, r.who),
      },
    ];
    const fleetApi = new FleetApi({ fleet: d.fleet, fleetOps: d.fleetOps, audit: d.audit });
    for (const r of fleetApi.routes())
      table.push({
        ...r,
        handle: (req) =>
          r.handle(req).then(
            (v) => ({ json: v }),
            (e: unknown) => {
              throw e instanceof FleetApiError ? new HttpError(e.status, e.message) : e;
            },
          ),
      });
    this.routes = table.map((r) => ({ ...r, segments: r.path.split("/").filter(Boolean) }));
  }

  /** Routes of other parts (noc/alerts), served like the built-in ones. */
  addRoutes(routes: Route[]): void {
    this.routes = [
      ...this.routes,
      ...routes.map((r) => ({ ...r, segments: r.path.split("/").filter(Boolean) })),
    ];
  }

  async handle(
    method: string,
    path: string,
    query: Record<string, string>,
    body: Buffer,
    who: Principal,
  ): Promise<ApiResult> {
    const parts = apiPath(path);
    const found = this.routes.flatMap((r) => {
      const params = match(r.segments, parts);
      return params ? [{ route: r, params }] : [];
    });
    if (found.length === 0) throw new HttpError(404, "not found", { code: "not-found" });
    const hit = found.find((f) => f.route.method === method);
    if (!hit) {
      const allowed = found.map((f) => f.route.method).join(", ");
      throw new HttpError(405, `method not allowed; this path takes ${allowed}`);
    }
    // District scope, checked here for every route rather than in each page: a scoped user's lists,
    // rankings and exports hold their district only, and another district's station is refused.
    const station = hit.params.id;
    if (station !== undefined) this.scope(who, station);
    const scoped = who.district === undefined ? query : { ...query, district: who.district };
    return hit.route.handle({ params: hit.params, query: scoped, body, who });
  }

  private require(who: Principal, role: Role): void {
    if (!hasRole(who, role))
      throw new HttpError(403, `this needs the ${role} role; ${who.name} is ${who.role}`, {
        code: "needs-role",
        params: { role, user: who.name, userRole: who.role },
      });
  }

  private scope(who: Principal, station: string): void {
    const live = this.d.fleet.stations.get(station);
    if (live && !inScope(who, live.row.district))
      throw new HttpError(403, `${station} is not in district ${who.district ?? ""}`, {
        code: "other-district",
        params: { station, district: who.district ?? "" },
      });
  }

  private summary(who: Principal) {
    return { time: new Date(this.d.now()).toISOString(), ...summary(this.d.fleet, who.district) };
  }

  private async collector(who: Principal) {
    if (who.district !== undefined)
      throw new HttpError(403, "the collector page is not district-scoped", {
        code: "collector-all-districts",
      });
    return { ...this.d.status(), storageBytes: await this.d.storage.sizeBytes(), ...this.d.stats.toJSON() };
  }

  private async resetLag(who: Principal): Promise<ApiResult> {
    this.require(who, "admin");
    const s = this.d.stats;
    for (const h of [s.ingestLag, s.commitLag, s.writeMs, s.loopDelay]) h.reset();
    await this.d.audit(who, "collector.reset-lag", "", "ok");
    return { json: { ok: true } };
  }

  private async rankingCsv(query: Record<string, string>): Promise<ApiResult> {
    const { lang } = parse(CsvLangQuery, { lang: query.lang });
    const { month, ranks } = await this.ranking(query);
    return { csv: rankingCsv(month, ranks, lang), filename: `district-ranking-${month}.csv` };
  }

  private async availabilityCsv(query: Record<string, string>): Promise<ApiResult> {
    const { lang } = parse(CsvLangQuery, { lang: query.lang });
    const { month, rows } = await this.monthStations(query);
    return { csv: stationsCsv(month, rows, lang), filename: `station-availability-${month}.csv` };
  }

  private stations(query: Record<string, string>) {
    const q = parse(StationsQuery, query);
    return list(this.d.fleet, { ...q, faulted: q.faulted !== undefined });
  }

  private month(query: Record<string, string>): string {
    return parse(MonthQuery, { month: query.month }).month ?? monthKey(this.d.now(), this.d.timeZone);
  }

  private async monthStations(
    query: Record<string, string>,
  ): Promise<{ month: string; rows: (StationPeriod & { name?: string })[] }> {
    const month = this.month(query);
    const days = daysOfMonth(month);
    const district = query.district;
    const rows = sumByStation(
      await this.d.storage.periodTotals(days[0] as string, days[days.length - 1] as string),
    ).filter((r) => !district || r.district === district);
    return { month, rows: rows.map((r) => ({ ...r, name: this.d.fleet.stations.get(r.station)?.row.name })) };
  }

  private async ranking(query: Record<string, string>) {
    const { month, rows } = await this.monthStations(query);
    return { month, timeZone: this.d.timeZone, ranks: rankDistricts(rows) };
  }

  private async availability(query: Record<string, string>) {
    const q = parse(MonthPaged, query);
    const { month, rows } = await this.monthStations(query);
    let list = q.district ? rows.filter((r) => r.district === (q.district || NO_DISTRICT)) : rows;
    if (q.sort === "uptime") list = [...list].sort((x, y) => (x.uptimePct ?? -1) - (y.uptimePct ?? -1));
    return {
      month,
      total: list.length,
      offset: q.offset,
      limit: q.limit,
      items: list.slice(q.offset, q.offset + q.limit),
    };
  }

  /** A known station's id (400 when it cannot be one, 404 when the NOC has never heard of it). */
  private known(id: string | undefined): string {
    if (id === undefined || !TOPIC_LEVEL.test(id)) throw new HttpError(400, "invalid station id");
    if (!this.d.fleet.stations.has(id))
      throw new HttpError(404, `no station ${id}`, { code: "no-station", params: { station: id } });
    return id;
  }

  private station(id: string | undefined) {
    const live = detail(this.d.fleet, this.known(id));
    if (!live)
      throw new HttpError(404, `no station ${id}`, { code: "no-station", params: { station: id ?? "" } });
    return live;
  }

  private async timeline(station: string | undefined, query: Record<string, string>) {
    const id = this.known(station);
    const s = this.d.storage;
    const now = this.d.now();
    const tz = this.d.timeZone;
    const r = parse(RangeQuery, query);
    const from = r.from ? dayBounds(r.from, tz).from : now - 7 * 86_400_000;
    const to = r.to ? dayBounds(r.to, tz).to : now + 1;
    const range = { from, to };
    const [status, links, devices, power, outages] = await Promise.all([
      s.statusHistory(id, range),
      s.linkHistory(id, range),
      s.deviceHistory(id, range),
      s.powerHistory(id, range),
      s.outages(id, range),
    ]);
    return {
      station: id,
      from: new Date(from).toISOString(),
      to: new Date(Math.min(to, now)).toISOString(),
      status,
      links,
      devices,
      power,
      outages,
    };
  }

  private async events(station: string | undefined, query: Record<string, string>) {
    const id = this.known(station);
    const rows = await this.d.storage.recentEvents(id, parse(LimitQuery, query).limit);
    return { station: id, events: rows.map(eventView) };
  }

  private async gapList(station: string | undefined, query: Record<string, string>) {
    const id = this.known(station);
    const rows = await this.d.storage.gaps(id, parse(LimitQuery, query).limit);
    return { station: id, gaps: rows.map(gapView) };
  }

  private async stationAvailability(station: string | undefined, query: Record<string, string>) {
    const id = this.known(station);
    const month = this.month(query);
    const days = daysOfMonth(month);
    const rows = await this.d.storage.daily(days[0] as string, days[days.length - 1] as string, id);
    const today = dayKey(this.d.now(), this.d.timeZone);
    return {
      station: id,
      month,
      days: rows.map((r) => ({ ...r, ...figures(r), partial: r.day === today })),
      total: sumByStation(rows)[0] ?? null,
    };
  }

  private async command(station: string, name: string, body: Buffer, who: Principal) {
    this.require(who, "operator");
    if (!(COMMAND_NAMES as readonly string[]).includes(name))
      throw new HttpError(400, `unknown command ${name}; allowed: ${COMMAND_NAMES.join(", ")}`);
    this.known(station);
    let parsed: unknown = {};
    if (body.length > 0) {
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        throw new HttpError(400, "body is not JSON");
      }
    }
    const { args } = parse(CommandBody, parsed);
    const detail = args ? JSON.stringify(args) : "";
    try {
      const reply = await this.d.commands.send(station, name, args);
      await this.d.audit(
        who,
        `command.${name}`,
        station,
        reply.ok ? "ok" : `error: ${reply.error ?? ""}`,
        detail,
      );
      return { json: reply };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await this.d.audit(who, `command.${name}`, station, `failed: ${message}`, detail);
      throw new HttpError(504, message);
    }
  }
}
