import { createHash } from "node:crypto";
import { canonicalJson, type CommandReply } from "../../contract/index.js";

/** Which stations a config fragment is for. A station takes the most specific release that names it. */
export type FragmentScope =
  { kind: "all" } | { kind: "district"; district: string } | { kind: "station"; station: string };

export interface FragmentRelease {
  version: string;
  scope: FragmentScope;
  settings: Record<string, unknown>;
  sha256: string;
  createdAt: number;
  createdBy: string;
}

export interface Delivery {
  version: string;
  state: "sending" | "staged" | "applied" | "rolled-back" | "refused";
  at: number;
  detail?: string;
}

export interface PushStation {
  id: string;
  district?: string;
  online: boolean;
  /** The fragment version the station's birth says is in force (null: none). */
  fragmentVersion: string | null;
}

export interface ConfigPushDeps {
  stations(): Iterable<PushStation>;
  send(
    station: string,
    args: { version: string; settings: Record<string, unknown>; sha256: string },
  ): Promise<CommandReply>;
  load(): Promise<string | undefined>;
  save(json: string): Promise<void>;
  now(): number;
  log: { warn(o: object, msg: string): void; info(o: object, msg: string): void };
  /** After a send that got no answer or failed to go out, wait this long before trying again. */
  retryMs?: number;
  /** At most this many config-apply commands in flight at once (a state has thousands of stations). */
  maxInFlight?: number;
}

const SPECIFICITY = { station: 2, district: 1, all: 0 } as const;

/**
 * The NOC's side of config fragments: releases per station, district or the whole state, and each
 * station brought to its release whenever it is online. A station that was dark when a release was
 * made gets it when it is back; a fragment a station rolled back or refused is not pushed again until
 * a newer release replaces it.
 */
export class ConfigPush {
  private releases: FragmentRelease[] = [];
  private deliveries = new Map<string, Delivery>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly d: ConfigPushDeps) {}

  async load(): Promise<void> {
    const text = await this.d.load();
    if (!text) return;
    const saved = JSON.parse(text) as { releases: FragmentRelease[]; deliveries: [string, Delivery][] };
    this.releases = saved.releases;
    this.deliveries = new Map(saved.deliveries);
  }

  async release(input: {
    version: string;
    scope: FragmentScope;
    settings: Record<string, unknown>;
    by: string;
  }): Promise<FragmentRelease> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._:+-]{0,63}$/.test(input.version))
      throw new Error("version: 1-64 of A-Z a-z 0-9 . _ : + -");
    if (this.releases.some((r) => r.version === input.version))
      throw new Error(`version ${input.version} exists already`);
    if (canonicalJson(input.settings).length > 65_536) throw new Error("settings larger than 64 KiB");
    for (const key of ["station.id", "storage.dir"]) {
      const [a, b] = key.split(".") as [string, string];
      if ((input.settings[a] as Record<string, unknown> | undefined)?.[b] !== undefined)
        throw new Error(`${key} can only be set in a station's own file`);
    }
    const r: FragmentRelease = {
      version: input.version,
      scope: input.scope,
      settings: input.settings,
      sha256: createHash("sha256").update(canonicalJson(input.settings)).digest("hex"),
      createdAt: this.d.now(),
      createdBy: input.by,
    };
    this.releases.push(r);
    await this.persist();
    return r;
  }

  /** The release a station should run: the most specific scope that names it, newest within it. */
  desiredFor(station: string, district: string | undefined): FragmentRelease | undefined {
    let best: FragmentRelease | undefined;
    for (const r of this.releases) {
      const s = r.scope;
      const covers =
        s.kind === "all" ||
        (s.kind === "district" && s.district === district) ||
        (s.kind === "station" && s.station === station);
      if (!covers) continue;
      if (
        !best ||
        SPECIFICITY[s.kind] > SPECIFICITY[best.scope.kind] ||
        (SPECIFICITY[s.kind] === SPECIFICITY[best.scope.kind] && r.createdAt >= best.createdAt)
      )
        best = r;
    }
    return best;
  }

  /** One pass: sends to online stations not on their release. Returns how many were sent. */
  async tick(): Promise<number> {
    const now = this.d.now();
    const retryMs = this.d.retryMs ?? 300_000;
    const max = this.d.maxInFlight ?? 50;
    let sent = 0;
    for (const st of this.d.stations()) {
      if (this.inFlight.size >= max) break;
      if (!st.online || this.inFlight.has(st.id)) continue;
      const want = this.desiredFor(st.id, st.district);
      if (!want || st.fragmentVersion === want.version) continue;
      const last = this.deliveries.get(st.id);
      if (last?.version === want.version) {
        if (last.state === "rolled-back" || last.state === "refused") continue;
        if (now - last.at < retryMs) continue;
      }
      this.inFlight.add(st.id);
      this.deliveries.set(st.id, { version: want.version, state: "sending", at: now });
      sent++;
      void this.d
        .send(st.id, { version: want.version, settings: want.settings, sha256: want.sha256 })
        .then((reply) =>
          this.deliveries.set(
            st.id,
            reply.ok
              ? { version: want.version, state: "staged", at: this.d.now() }
              : {
                  version: want.version,
                  state: "refused",
                  at: this.d.now(),
                  detail: reply.error ?? "refused",
                },
          ),
        )
        .catch((e: Error) => {
          // No answer: the station may have gone dark meanwhile; tried again after retryMs.
          this.d.log.warn({ station: st.id, err: e.message }, "config-apply not answered");
        })
        .finally(() => {
          this.inFlight.delete(st.id);
          void this.persist();
        });
    }
    return sent;
  }

  /** config.applied / config.rolled-back from a station. */
  onEvent(station: string, type: string, data: { version?: unknown; reason?: unknown }): void {
    if (type !== "config.applied" && type !== "config.rolled-back") return;
    if (typeof data.version !== "string") return;
    this.deliveries.set(station, {
      version: data.version,
      state: type === "config.applied" ? "applied" : "rolled-back",
      at: this.d.now(),
      ...(typeof data.reason === "string" ? { detail: data.reason } : {}),
    });
    void this.persist();
  }

  /** Per release: how many stations it covers and where each stands. */
  overview(stations: Iterable<PushStation>): {
    releases: (FragmentRelease & { stations: Record<string, number> })[];
    deliveries: Record<string, Delivery>;
  } {
    const counts = new Map<string, Record<string, number>>();
    for (const st of stations) {
      const want = this.desiredFor(st.id, st.district);
      if (!want) continue;
      const c = counts.get(want.version) ?? {};
      const d = this.deliveries.get(st.id);
      const state =
        st.fragmentVersion === want.version
          ? "running"
          : d?.version === want.version
            ? d.state
            : st.online
              ? "waiting"
              : "offline";
      c[state] = (c[state] ?? 0) + 1;
      counts.set(want.version, c);
    }
    return {
      releases: this.releases.map((r) => ({ ...r, stations: counts.get(r.version) ?? {} })),
      deliveries: Object.fromEntries(this.deliveries),
    };
  }

  private persist(): Promise<void> {
    return this.d.save(JSON.stringify({ releases: this.releases, deliveries: [...this.deliveries] }));
  }
}
