import { z } from "zod";
import { hasRole, inScope, type Principal, type Role } from "../auth/roles.js";
import { COMMAND_NAMES, TOPIC_LEVEL } from "../../contract/index.js";
import type { Commander } from "../commander.js";
import { rankingCsv, stationsCsv } from "../csv.js";
import type { Fleet } from "../fleet.js";
import { uptimePct } from "../model.js";
import { rankDistricts, sumByStation, NO_DISTRICT, type StationPeriod } from "../ranking.js";
import type { CollectorStats } from "../stats.js";
import type { Storage } from "../storage/index.js";
import { dayBounds, dayKey, daysOfMonth, DAY, MONTH, monthKey } from "../time.js";
import { detail, list, summary } from "../views.js";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type ApiResult = { json: unknown } | { csv: string; filename: string };

export interface ApiDeps {
  fleet: Fleet;
  storage: Storage;
  stats: CollectorStats;
  commander: Commander;
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

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) {
    throw new HttpError(
      400,
      r.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; "),
    );
  }
  return r.data;
}

/** The JSON API behind the dashboard (documented in docs/noc.md). Read-only except commands. */
export class Api {
  constructor(private readonly d: ApiDeps) {}

  async handle(
    method: string,
    path: string,
    query: Record<string, string>,
    body: Buffer,
    who: Principal,
  ): Promise<ApiResult> {
    const parts = decodePath(path);
    if (parts[0] !== "api" || parts[1] !== "v1") throw new HttpError(404, "not found");
    const [, , a, b, c, e] = parts;
    if (method === "POST") {
      if (a === "stations" && b && c === "commands" && e && parts.length === 6)
        return this.command(b, e, body, who);
      if (a === "collector" && b === "reset-lag" && parts.length === 4) {
        this.require(who, "admin");
        await this.d.audit(who, "collector.reset-lag", "", "ok");
        for (const h of [
          this.d.stats.ingestLag,
          this.d.stats.commitLag,
          this.d.stats.writeMs,
          this.d.stats.loopDelay,
        ])
          h.reset();
        return { json: { ok: true } };
      }
      throw new HttpError(405, "only GET here");
    }
    if (method !== "GET") throw new HttpError(405, "method not allowed");
    if (a === "summary" && !b)
      return { json: { time: new Date(this.d.now()).toISOString(), ...summary(this.d.fleet, who.district) } };
    // A district-scoped user's lists, rankings and exports hold their district only.
    const scoped = who.district === undefined ? query : { ...query, district: who.district };
    if (a === "stations" && !b) return { json: this.stations(scoped) };
    if (a === "dark" && !b) return { json: this.stations({ sort: "-since", ...scoped, status: "dark" }) };
    if (a === "collector" && !b) {
      if (who.district !== undefined) throw new HttpError(403, "the collector page is not district-scoped");
      return {
        json: {
          ...this.d.status(),
          storageBytes: await this.d.storage.sizeBytes(),
          ...this.d.stats.toJSON(),
        },
      };
    }
    if (a === "ranking" && !b) return { json: await this.ranking(scoped) };
    if (a === "ranking.csv" && !b) {
      const { month, ranks } = await this.ranking(scoped);
      return { csv: rankingCsv(month, ranks), filename: `district-ranking-${month}.csv` };
    }
    if (a === "availability" && !b) return { json: await this.availability(scoped) };
    if (a === "availability.csv" && !b) {
      const { month, rows } = await this.monthStations(scoped);
      return { csv: stationsCsv(month, rows), filename: `station-availability-${month}.csv` };
    }
    if (a === "stations" && b && parts.length <= 5) {
      this.scope(who, b);
      return { json: await this.station(b, c, query) };
    }
    throw new HttpError(404, "not found");
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
    ).filter((r) => district === undefined || district === "" || r.district === district);
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

  private async station(id: string, sub: string | undefined, query: Record<string, string>) {
    if (!TOPIC_LEVEL.test(id)) throw new HttpError(400, "invalid station id");
    const live = detail(this.d.fleet, id);
    if (!live) throw new HttpError(404, `no station ${id}`);
    const s = this.d.storage;
    const now = this.d.now();
    const tz = this.d.timeZone;
    if (sub === undefined) return live;
    if (sub === "timeline") {
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
    if (sub === "events")
      return { station: id, events: await s.recentEvents(id, parse(LimitQuery, query).limit) };
    if (sub === "gaps") return { station: id, gaps: await s.gaps(id, parse(LimitQuery, query).limit) };
    if (sub === "availability") {
      const month = this.month(query);
      const days = daysOfMonth(month);
      const rows = await s.daily(days[0] as string, days[days.length - 1] as string, id);
      const today = dayKey(now, tz);
      return {
        station: id,
        month,
        days: rows.map((r) => ({ ...r, uptimePct: uptimePct(r), partial: r.day === today })),
        total: sumByStation(rows)[0] ?? null,
      };
    }
    throw new HttpError(404, "not found");
  }

  private require(who: Principal, role: Role): void {
    if (!hasRole(who, role))
      throw new HttpError(403, `this needs the ${role} role; ${who.name} is ${who.role}`);
  }

  /** A station outside the principal's district is refused (403) whatever the page shows. */
  private scope(who: Principal, station: string): void {
    const live = this.d.fleet.stations.get(station);
    if (live && !inScope(who, live.row.district))
      throw new HttpError(403, `${station} is not in district ${who.district ?? ""}`);
  }

  private async command(station: string, name: string, body: Buffer, who: Principal) {
    this.require(who, "operator");
    this.scope(who, station);
    if (!(COMMAND_NAMES as readonly string[]).includes(name))
      throw new HttpError(400, `unknown command ${name}; allowed: ${COMMAND_NAMES.join(", ")}`);
    if (!this.d.fleet.stations.has(station)) throw new HttpError(404, `no station ${station}`);
    let json: unknown = {};
    if (body.length > 0) {
      try {
        json = JSON.parse(body.toString("utf8"));
      } catch {
        throw new HttpError(400, "body is not JSON");
      }
    }
    const { args } = parse(CommandBody, json);
    const detail = args ? JSON.stringify(args) : "";
    try {
      const reply = await this.d.commander.send(station, name, args);
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

/** Path segments, decoded; a malformed `%` escape is the client's mistake (400), not a server error. */
function decodePath(path: string): string[] {
  try {
    return path.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new HttpError(400, "malformed percent-escape in the path");
  }
}
