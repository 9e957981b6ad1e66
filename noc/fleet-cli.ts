/** `station-noc fleet ...`: config releases and rollouts through the NOC's HTTP API, with an API token. */
import { Command, InvalidArgumentError, Option } from "commander";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { readSecret } from "./secret-file.js";

interface ApiFlags {
  url: string;
  tokenFile: string;
}

const out = (v: unknown): void => {
  process.stdout.write(`${typeof v === "string" ? v : JSON.stringify(v, null, 2)}\n`);
};

function apiOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--url <url>", "the NOC dashboard's address")
        .default("http://127.0.0.1:8790")
        .env("STATION_NOC_URL"),
    )
    .addOption(
      new Option("--token-file <path>", "file holding an API token (station-noc token add)")
        .env("STATION_NOC_TOKEN_FILE")
        .makeOptionMandatory(),
    );
}

/** One API call; a refusal is thrown with the NOC's own words (status and error). */
async function call(f: ApiFlags, method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
  const token = readSecret(f.tokenFile, "API token file").trim();
  const url = new URL(`api/v1/${path}`, f.url.endsWith("/") ? f.url : `${f.url}/`);
  const r = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: shown as it came.
  }
  if (!r.ok) {
    const error = (parsed as { error?: unknown } | undefined)?.error;
    throw new Error(`${r.status}: ${typeof error === "string" ? error : text.slice(0, 300)}`);
  }
  return parsed;
}

/** "pilot:stations=PS-1,PS-2", "ambala:district=Ambala", "ten:percent=10", "rest:all". */
export function parseRing(v: string, previous: unknown[] = []): unknown[] {
  const m = /^([^:]{1,64}):(stations=(.+)|district=(.+)|percent=([0-9.]+)|all)$/.exec(v);
  if (!m) throw new InvalidArgumentError("NAME:stations=A,B | NAME:district=D | NAME:percent=N | NAME:all");
  const name = m[1]!;
  const ring = m[3]
    ? { name, stations: m[3].split(",").map((s) => s.trim()) }
    : m[4]
      ? { name, district: m[4] }
      : m[5]
        ? { name, percent: Number(m[5]) }
        : { name, all: true };
  return [...previous, ring];
}

function settingsFrom(file: string): Record<string, unknown> {
  const v: unknown = parseYaml(readFileSync(file, "utf8"));
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new Error(`${file}: settings must be a YAML or JSON mapping of config keys`);
  return v as Record<string, unknown>;
}

const number = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError("a number");
  return n;
};

export function addFleetCommands(p: Command): void {
  const fleet = p.command("fleet").description("config releases and staged agent updates (via the API)");
  apiOptions(fleet.command("versions").description("stations per agent version and config version")).action(
    async (f: ApiFlags) => out(await call(f, "GET", "fleet/versions")),
  );
  const config = fleet.command("config").description("config fragments released to stations");
  apiOptions(
    config
      .command("push")
      .description("release a config fragment to all stations, a district or one station")
      .requiredOption("--version <v>", "the release's version, e.g. 2026-12-04.1")
      .requiredOption("--settings <file>", "YAML or JSON file of config keys, as in a station's file")
      .option("--all", "every station")
      .option("--district <name>", "one district's stations")
      .option("--station <id>", "one station"),
  ).action(
    async (
      f: ApiFlags & { version: string; settings: string; all?: boolean; district?: string; station?: string },
    ) => {
      const picked = [f.all, f.district, f.station].filter((x) => x !== undefined);
      if (picked.length !== 1) throw new Error("name exactly one of --all, --district, --station");
      const scope = f.all
        ? { kind: "all" }
        : f.district !== undefined
          ? { kind: "district", district: f.district }
          : { kind: "station", station: f.station };
      out(
        await call(f, "POST", "fleet/config", {
          version: f.version,
          scope,
          settings: settingsFrom(f.settings),
        }),
      );
    },
  );
  apiOptions(config.command("status").description("releases and where each station stands")).action(
    async (f: ApiFlags) => out(await call(f, "GET", "fleet/config")),
  );
  const rollout = fleet.command("rollout").description("staged agent updates in rings");
  apiOptions(
    rollout
      .command("start")
      .description("start updating stations to a package version, ring by ring")
      .requiredOption("--version <v>", "the station-agent package version, e.g. 0.2.0-1")
      .requiredOption(
        "--ring <spec>",
        "repeat in order: NAME:stations=A,B | NAME:district=D | NAME:percent=N | NAME:all",
        parseRing,
      )
      .option("--soak-min <n>", "minutes a ring must stay healthy before the next", number, 60)
      .option("--max-failure-pct <n>", "halt when more of a ring's stations fail", number, 5)
      .option("--deadline-s <n>", "seconds each station has to come back healthy", number, 180),
  ).action(
    async (
      f: ApiFlags & {
        version: string;
        ring: unknown[];
        soakMin: number;
        maxFailurePct: number;
        deadlineS: number;
      },
    ) =>
      out(
        await call(f, "POST", "fleet/rollouts", {
          version: f.version,
          rings: f.ring,
          soakMin: f.soakMin,
          maxFailurePct: f.maxFailurePct,
          deadlineS: f.deadlineS,
        }),
      ),
  );
  apiOptions(rollout.command("list").description("rollouts, their rings and progress")).action(
    async (f: ApiFlags) => out(await call(f, "GET", "fleet/rollouts")),
  );
  apiOptions(
    rollout.command("halt <id>").description("stop a running rollout (no more stations are sent)"),
  ).action(async (id: string, f: ApiFlags) =>
    out(await call(f, "POST", `fleet/rollouts/${encodeURIComponent(id)}/halt`)),
  );
}
