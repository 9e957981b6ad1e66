/**
 * `station-agent status` for station staff. Their user may not read the settings file (it holds
 * secrets, 0640 root:station-agent), so the running agent is asked over its API socket first, which the
 * station-api group may use; the settings file and the state directory are only the fallback for when
 * the agent is stopped. Every way of failing ends in plain words, never "invalid configuration".
 */
import { resolve } from "node:path";
import { ConfigError, EX_CONFIG, loadConfig, type LoadedConfig } from "../../config/load.js";
import { callLocalApi } from "../api-client.js";
import { pickLang, translator, type Lang } from "../i18n/index.js";
import { apiSocketPath, PACKAGED_API_SOCKET } from "../local-api.js";
import { linksFromConfig, readStatusFromDisk, type StatusSnapshot } from "../status.js";
import { renderStatus } from "../status-text.js";

/** sysexits.h EX_UNAVAILABLE: nothing to show. */
export const EX_UNAVAILABLE = 69;

export interface StatusCommandOptions {
  config: string;
  json?: boolean;
  socket?: string;
  lang?: Lang;
}

export interface StatusOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

type Asked = { snapshot: StatusSnapshot } | { error: string; code?: string };

async function askAgent(socket: string): Promise<Asked> {
  try {
    const res = await callLocalApi(socket, { path: "/v1/status" });
    if (res.status === 200) return { snapshot: res.body as StatusSnapshot };
    return { error: `the agent answered ${res.status}` };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { error: err.message, ...(err.code ? { code: err.code } : {}) };
  }
}

function unreadable(e: unknown): string | undefined {
  if (!(e instanceof ConfigError) || e.problems.length !== 1) return undefined;
  const m = /cannot read \((\w+)\)$/.exec(e.problems[0]!);
  return m?.[1];
}

export async function statusCommand(o: StatusCommandOptions): Promise<StatusOutcome> {
  let loaded: LoadedConfig | undefined;
  let configProblem: string | undefined;
  let invalid = false;
  let readError: unknown;
  try {
    loaded = loadConfig(o.config);
  } catch (e) {
    readError = e;
  }
  const config = loaded?.config;
  const t = translator(pickLang(o.lang, config?.ui.language));
  if (readError !== undefined) {
    const code = unreadable(readError);
    if (code === undefined) {
      invalid = true;
      const problems = readError instanceof ConfigError ? readError.problems : [String(readError)];
      configProblem = `${t("status.err.mistakes", { path: o.config })}\n${problems.map((p) => `  ${p}`).join("\n")}`;
    } else {
      const why =
        code === "EACCES" ? t("status.err.eacces") : code === "ENOENT" ? t("status.err.enoent") : code;
      configProblem = t("status.err.cannotRead", { path: o.config, why });
    }
  }
  if (config) process.env.TZ = config.ledger.timezone;
  const socket = o.socket ?? (config ? apiSocketPath(config) : PACKAGED_API_SOCKET);
  const asked = config?.api.enabled === false && !o.socket ? undefined : await askAgent(socket);

  let snapshot: StatusSnapshot | undefined;
  if (asked && "snapshot" in asked) snapshot = asked.snapshot;
  else if (config) {
    try {
      snapshot = readStatusFromDisk(config.station.id, resolve(config.storage.dir));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      snapshot = readStatusFromDisk(config.station.id, "/nonexistent");
      snapshot.lastError = t("status.err.savedState", { code: err.code ?? err.message });
    }
    // The reason stays the monitor's English words: the renderer translates it with the others.
    snapshot.links = linksFromConfig(config.station.id, config.links, "the agent is not running");
  }

  if (!snapshot) {
    const lines = [t("status.err.cannotShow")];
    if (configProblem) lines.push(`- ${configProblem}`);
    const failure = asked && "error" in asked ? asked : undefined;
    if (failure?.code === "EACCES") lines.push(t("status.err.notInGroup", { socket }));
    else if (failure?.code === "ENOENT" || failure?.code === "ECONNREFUSED")
      lines.push(t("status.err.agentStopped", { socket }));
    else if (failure) lines.push(t("status.err.agentSilent", { socket, error: failure.error }));
    return { code: invalid ? EX_CONFIG : EX_UNAVAILABLE, stdout: "", stderr: `${lines.join("\n")}\n` };
  }
  const tz = config?.ledger.timezone ?? process.env.TZ;
  const text = o.json
    ? JSON.stringify(snapshot, null, 2)
    : renderStatus(snapshot, {
        lang: pickLang(o.lang, config?.ui.language),
        ...(tz ? { timezone: tz } : {}),
      });
  return { code: 0, stdout: `${text}\n`, stderr: "" };
}
