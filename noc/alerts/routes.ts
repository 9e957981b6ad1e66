/**
 * The alert API below /api/v1 (through the NOC's route table): list, history, acknowledge, maintenance
 * windows. Changing anything needs the operator guard; a district-scoped user sees their district only.
 */
import type { CodedError } from "../error-codes.js";
import { z } from "zod";
import type { AlertEngine } from "./engine.js";
import type { Storage } from "../storage/index.js";
import type { AlertRow } from "./model.js";
import { hasRole, type Principal } from "../auth/roles.js";

export interface AlertRouteRequest {
  params: Record<string, string>;
  query: Record<string, string>;
  body: Buffer;
  /** Authenticated by noc/auth/gate.ts. */
  who: Principal;
}

export interface AlertRoute {
  method: "GET" | "POST";
  path: string;
  handle(r: AlertRouteRequest): Promise<{ json: unknown }>;
}

export interface AlertRouteDeps {
  engine: AlertEngine;
  storage: Storage;
  now: () => number;
  /** Records an action in the NOC's audit log. */
  audit(who: Principal, action: string, target: string, result: string, detail?: string): Promise<void>;
  /** Throws the API's 400 error from a zod failure. */
  parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T>;
  /** The API's HTTP error (400, 404...). */
  fail(status: number, message: string, coded?: CodedError): Error;
}

/** `by`: who acts, when one credential serves several people (a shared API token); else the user's name. */
const By = z.string().trim().min(1).max(100).optional();
const Ack = z.object({ by: By, note: z.string().max(1000).optional() }).strict();
const Silence = z
  .object({
    by: By,
    minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
    reason: z.string().max(500).optional(),
  })
  .strict();
/** The longest maintenance window, and how far back one entered late may start. */
export const MAX_WINDOW_DAYS = 31;
const DAY_MS = 86_400_000;

const Window = z
  .object({
    by: By,
    scope: z.enum(["station", "district", "all"]),
    target: z.string().max(100).default(""),
    start: z.iso.datetime({ offset: true }).optional(),
    end: z.iso.datetime({ offset: true }),
    reason: z.string().trim().min(1).max(500),
  })
  .strict()
  .refine((w) => w.scope === "all" || w.target !== "", {
    message: "a station or district window needs a target",
    path: ["target"],
  });
const End = z.object({ by: By }).strict();
const History = z.object({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24),
});

function body(b: Buffer): unknown {
  if (b.length === 0) return {};
  try {
    return JSON.parse(b.toString("utf8"));
  } catch {
    return Symbol("not JSON");
  }
}

export function alertRoutes(d: AlertRouteDeps): AlertRoute[] {
  const visible = (r: AlertRouteRequest, a: AlertRow) =>
    r.who.district === undefined || a.district === r.who.district;
  /** Operators act; the record names the signed-in user, and the person a shared token acts for. */
  const operator = (r: AlertRouteRequest, by: string | undefined) => {
    if (!hasRole(r.who, "operator"))
      throw d.fail(403, `this needs the operator role; ${r.who.name} is ${r.who.role}`, {
        code: "needs-role",
        params: { role: "operator", user: r.who.name, userRole: r.who.role },
      });
    return by && by !== r.who.name ? `${by} (via ${r.who.name})` : r.who.name;
  };
  const find = (r: AlertRouteRequest, id: string | undefined) => {
    const a = [...d.engine.open.values()].find((x) => x.id === id);
    if (!a || !visible(r, a))
      throw d.fail(404, `no open alert ${id}`, { code: "no-open-alert", params: { id: id ?? "" } });
    return a;
  };
  return [
    {
      method: "GET",
      path: "/alerts",
      handle: async (r) => {
        const { hours } = d.parse(History, r.query);
        const rows = (await d.storage.loadAlerts(d.now() - hours * 3_600_000, 2000)).filter((a) =>
          visible(r, a),
        );
        const open = [...d.engine.open.values()].filter((a) => visible(r, a));
        return {
          json: {
            firing: open.filter((a) => a.state === "firing" && !a.suppressed),
            acknowledged: open.filter((a) => a.state === "acknowledged" && !a.suppressed),
            suppressed: open.filter((a) => a.suppressed),
            resolved: rows.filter((a) => a.state === "resolved"),
            maintenance: d.engine.maintenance.filter((m) => m.endedAt === undefined && m.endAt > d.now()),
          },
        };
      },
    },
    {
      // The rules in use: after a reload that failed, still the last good ones.
      method: "GET",
      path: "/alerts/rules",
      handle: () =>
        Promise.resolve({
          json: {
            loadedAt: new Date(d.engine.configLoadedAt).toISOString(),
            rules: d.engine.config.rules.map((r) => ({ name: r.name, kind: r.kind, severity: r.severity })),
          },
        }),
    },
    {
      method: "GET",
      path: "/alerts/:id/history",
      handle: async (r) => {
        const id = r.params.id ?? "";
        if (r.who.district !== undefined) {
          // A district user reads the history of their district's alerts only.
          const known =
            [...d.engine.open.values()].find((a) => a.id === id) ??
            (await d.storage.loadAlerts(d.now() - 90 * 86_400_000, 100_000)).find((a) => a.id === id);
          if (!known || !visible(r, known))
            throw d.fail(404, `no alert ${id}`, { code: "no-alert", params: { id: id ?? "" } });
        }
        return { json: { alert: id, events: await d.storage.alertEvents(id) } };
      },
    },
    {
      method: "POST",
      path: "/alerts/:id/acknowledge",
      handle: async (r) => {
        const a = find(r, r.params.id);
        const q = d.parse(Ack, body(r.body));
        const who = operator(r, q.by);
        d.engine.acknowledge(a.id, who, q.note);
        await d.engine.flush();
        await d.audit(r.who, "alert.acknowledge", a.id, "ok", `${who}: ${q.note ?? ""}`);
        return { json: a };
      },
    },
    {
      method: "POST",
      path: "/alerts/:id/silence",
      handle: async (r) => {
        const a = find(r, r.params.id);
        const q = d.parse(Silence, body(r.body));
        const who = operator(r, q.by);
        const now = d.now();
        const w = d.engine.addMaintenance({
          scope: a.station ? "station" : a.district ? "district" : "all",
          target: a.station ?? a.district ?? "",
          startAt: now,
          endAt: now + q.minutes * 60_000,
          reason: q.reason ?? `silenced alert: ${a.title}`,
          createdBy: who,
        });
        await d.engine.flush();
        await d.audit(r.who, "alert.silence", a.id, "ok", `${who}: ${q.minutes} min`);
        return { json: w };
      },
    },
    {
      method: "GET",
      path: "/maintenance",
      handle: async (r) => ({
        json: {
          windows: (await d.storage.loadMaintenance(d.now() - 7 * 86_400_000)).filter(
            (m) => r.who.district === undefined || (m.scope === "district" && m.target === r.who.district),
          ),
        },
      }),
    },
    {
      method: "POST",
      path: "/maintenance",
      handle: async (r) => {
        const q = d.parse(Window, body(r.body));
        const who = operator(r, q.by);
        const scope = r.who.district;
        if (scope !== undefined && !(q.scope === "district" && q.target === scope))
          throw d.fail(403, `a ${scope} user can only plan windows for district ${scope}`, {
            code: "district-windows-only",
            params: { district: scope },
          });
        const startAt = q.start ? Date.parse(q.start) : d.now();
        const endAt = Date.parse(q.end);
        if (endAt <= startAt) throw d.fail(400, "end must be after start", { code: "end-before-start" });
        // A typo'd year must not silence a district for a century, nor replan years of history.
        if (endAt - startAt > MAX_WINDOW_DAYS * DAY_MS)
          throw d.fail(400, `a window lasts at most ${MAX_WINDOW_DAYS} days`, {
            code: "window-too-long",
            params: { days: MAX_WINDOW_DAYS },
          });
        if (startAt < d.now() - MAX_WINDOW_DAYS * DAY_MS)
          throw d.fail(400, `a window starts at most ${MAX_WINDOW_DAYS} days ago`, {
            code: "window-start-too-old",
            params: { days: MAX_WINDOW_DAYS },
          });
        const w = d.engine.addMaintenance({
          scope: q.scope,
          target: q.target,
          startAt,
          endAt,
          reason: q.reason,
          createdBy: who,
        });
        await d.engine.flush();
        await d.audit(r.who, "maintenance.create", w.id, "ok", `${who}: ${q.scope} ${q.target} ${q.reason}`);
        return { json: w };
      },
    },
    {
      method: "POST",
      path: "/maintenance/:id/end",
      handle: async (r) => {
        const q = d.parse(End, body(r.body));
        const who = operator(r, q.by);
        const m = d.engine.endMaintenance(r.params.id ?? "", who);
        if (!m)
          throw d.fail(404, `no maintenance window ${r.params.id}`, {
            code: "no-window",
            params: { id: r.params.id ?? "" },
          });
        await d.engine.flush();
        await d.audit(r.who, "maintenance.end", m.id, "ok", who);
        return { json: m };
      },
    },
  ];
}
