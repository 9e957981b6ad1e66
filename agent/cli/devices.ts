/**
 * `station-agent devices` and `station-agent doctor`, in plain words for station staff.
 * The lead's agent/cli.ts calls registerDeviceCommands(program); the NOC `diagnose` handler calls
 * runDoctor() directly and sends its result.
 */
import type { Command } from "commander";
import type { DeviceConfig } from "../../config/devices.js";
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import type { DeviceState } from "../../contract/index.js";
import { discoverDevices, type DiscoveredDevice } from "../../drivers/discovery/discover.js";
import { loadHidBackend } from "../../drivers/transport/hid.js";
import { listSerialPorts } from "../../drivers/transport/serial.js";
import { HidUps } from "../../drivers/ups/hid-ups.js";
import { powerStatus } from "../../drivers/ups/ups-status.js";
import { quirksFor } from "../../drivers/ups/vendor-quirks.js";
import { isLocallyAttached, matchDevices, probePathsFor } from "../devices/match.js";
import { pickUps } from "../devices/ups-service.js";
import { runDoctor, type DoctorReport } from "../doctor/doctor.js";
import { hostPort, tcpReach } from "../doctor/reach.js";
import { callLocalApi } from "../api-client.js";
import { english } from "../i18n/english.js";
import { translator, type Lang, type Translate } from "../i18n/index.js";
import { say } from "../i18n/note.js";
import { apiSocketPath } from "../local-api.js";
import { adviceKey, deviceReason } from "../status-text.js";
import { LANG_OPTION, langFor } from "./lang.js";

export { runDoctor, type DoctorCheck, type DoctorReport, type DoctorOptions } from "../doctor/doctor.js";

export interface DeviceListing {
  station?: string;
  configured: {
    id: string;
    kind: DeviceConfig["kind"];
    found: boolean;
    watched: boolean;
    device?: DiscoveredDevice;
    ups?: string;
    /** For a network printer or a fingerprint service: where it is and whether it answers. */
    network?: { address: string; answers: boolean; detail: string };
    /** What the running agent knows (paper out, cover open...); absent when it does not answer. */
    agent?: { health: DeviceState["health"]; reason?: string };
  }[];
  others: DiscoveredDevice[];
  notes: string[];
  /** Whether the running agent answered; null when there was no one to ask (no settings, API off). */
  agentAnswered: boolean | null;
}

/** The listing, worded with `t` (English for `--json`, which scripts read). */
export async function listDevices(configPath: string, t: Translate = english): Promise<DeviceListing> {
  const notes: string[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(configPath).config;
  } catch (e) {
    const problems = e instanceof ConfigError ? e.problems.join("; ") : String(e);
    notes.push(t("devices.settingsUnusable", { problems }));
  }
  const devices = config?.devices ?? [];
  const found = await discoverDevices({ listSerialPorts, probePaths: probePathsFor(devices) });
  notes.push(...found.notes);
  const matches = matchDevices(devices, found.devices);
  const claimed = new Set(matches.values());
  const states = config?.api.enabled && devices.length ? await agentDeviceStates(config) : undefined;
  const configured: DeviceListing["configured"] = [];
  for (const d of devices) {
    const device = matches.get(d.id);
    const entry: DeviceListing["configured"][number] = {
      id: d.id,
      kind: d.kind,
      found: !!device,
      watched: isLocallyAttached(d),
      ...(device ? { device } : {}),
    };
    if (d.kind === "ups" && device) entry.ups = await upsSummary(d, t);
    const address = d.kind === "printer" ? d.tcp : d.kind === "fingerprint" ? d.url : undefined;
    if (!entry.watched && address) {
      const { host, port } = hostPort(address);
      const r = await tcpReach(host, port);
      entry.network = { address, answers: r.ok, detail: say(t, r.say ?? r.detail) };
    }
    const state = states?.find((s) => s.device === d.id);
    if (state) entry.agent = { health: state.health, ...(state.reason ? { reason: state.reason } : {}) };
    configured.push(entry);
  }
  return {
    ...(config ? { station: config.station.id } : {}),
    configured,
    others: found.devices.filter((x) => !claimed.has(x)),
    notes,
    agentAnswered: states === undefined ? (config?.api.enabled && devices.length ? false : null) : true,
  };
}

/** The running agent owns the devices, so only it knows a printer is out of paper; staff may ask it. */
async function agentDeviceStates(config: Config): Promise<DeviceState[] | undefined> {
  try {
    const res = await callLocalApi(apiSocketPath(config), { path: "/v1/status" });
    const devices = (res.body as { devices?: unknown } | undefined)?.devices;
    return res.status === 200 && Array.isArray(devices) ? (devices as DeviceState[]) : undefined;
  } catch {
    return undefined;
  }
}

/** One reading from the UPS, in words; or why it cannot be read. */
async function upsSummary(cfg: Extract<DeviceConfig, { kind: "ups" }>, t: Translate): Promise<string> {
  const hid = await loadHidBackend();
  if (!hid.available)
    return t("ups.cannotRead", {
      why: `${t(`hid.${hid.code}`, { error: hid.error })} (${t(`hid.${hid.code}.fix`)})`,
    });
  try {
    const info = pickUps(await hid.backend.list(), cfg);
    if (!info) return t("ups.noAnswer");
    const ups = HidUps.open(
      info,
      await hid.backend.readDescriptor(info.path),
      await hid.backend.open(info.path),
    );
    try {
      const s = powerStatus((await ups.poll()).reading, { lowBatteryPct: cfg.lowBatteryPct });
      const mains = t(
        s.mainsPresent === true
          ? "ups.mains.on"
          : s.mainsPresent === false
            ? "ups.mains.off"
            : "ups.mains.unknown",
      );
      const pct = s.batteryPct !== null ? t("ups.battery", { pct: Math.round(s.batteryPct) }) : "";
      const rt = s.runtimeS !== null ? t("ups.runtime", { min: Math.round(s.runtimeS / 60) }) : "";
      return `${mains}${pct}${rt}${s.batteryLow ? t("ups.low") : ""}`;
    } finally {
      await ups.close();
    }
  } catch (e) {
    return t("ups.cannotRead", { why: e instanceof Error ? e.message : String(e) });
  }
}

function describeDevice(t: Translate, d: DiscoveredDevice): string {
  const vendor = d.vendorId ? quirksFor(parseInt(d.vendorId, 16))?.vendor : undefined;
  const ids = d.vendorId ? `USB ${d.vendorId}:${d.productId ?? "????"}` : undefined;
  const name = [d.manufacturer ?? vendor, d.product].filter(Boolean).join(" ");
  const serial = d.serialNumber ? t("devices.serial", { serial: d.serialNumber }) : undefined;
  const extra = [ids, name || undefined, serial].filter(Boolean).join(", ");
  return `${d.path}${extra ? ` (${extra})` : ""}${d.accessible ? "" : t("devices.noPermission")}`;
}

export function formatListing(l: DeviceListing, t: Translate = english, lang: Lang = "en"): string {
  const lines: string[] = [l.station ? t("devices.headerAt", { station: l.station }) : t("devices.header")];
  if (l.configured.length === 0) lines.push(t("devices.none"));
  for (const c of l.configured) {
    const entry = (state: string) => t("devices.entry", { id: c.id, kind: t(`kind.${c.kind}`), state });
    if (c.network)
      lines.push(
        entry(
          c.network.answers
            ? t("devices.net.answers", { address: c.network.address })
            : t("devices.net.silent", { address: c.network.address, why: c.network.detail }),
        ),
      );
    else if (!c.watched) lines.push(entry(t("devices.ownService")));
    else if (c.device) lines.push(entry(t("devices.connected", { where: describeDevice(t, c.device) })));
    else lines.push(entry(t("devices.notFound")));
    if (c.ups) lines.push(t("devices.ups", { ups: c.ups }));
    if (c.agent && c.agent.health !== "ready") {
      const health = t(`health.${c.agent.health}`);
      const reason = c.agent.reason && deviceReason(t, lang, c.agent.reason);
      lines.push(reason ? t("devices.agentSaysWhy", { health, reason }) : t("devices.agentSays", { health }));
      const advice = adviceKey(c.kind, c.agent.health);
      if (advice) lines.push(t("devices.whatToDo", { advice: t(advice) }));
    }
  }
  if (l.agentAnswered === false) lines.push(t("devices.agentDown"));
  if (l.others.length > 0) {
    lines.push(t("devices.others"));
    for (const d of l.others)
      lines.push(
        t("devices.other", {
          what: t(`devices.other.${d.kind}`),
          ups: d.ups ? t("devices.other.isUps") : "",
          where: describeDevice(t, d),
        }),
      );
  }
  for (const n of l.notes) lines.push(t("devices.note", { note: n }));
  return lines.join("\n");
}

export function formatDoctor(r: DoctorReport, t: Translate = english): string {
  const lines = r.checks.map((c) => {
    const line = t("doctor.line", { mark: t(`doctor.mark.${c.status}`), title: c.title, detail: c.detail });
    return c.fix && c.status !== "ok" ? `${line}\n${t("doctor.whatToDo", { fix: c.fix })}` : line;
  });
  const fails = r.checks.filter((c) => c.status === "fail").length;
  lines.push(fails === 0 ? t("doctor.allPassed") : t("doctor.failed", { count: fails }));
  return lines.join("\n");
}

export function registerDeviceCommands(program: Command): void {
  program
    .command("devices")
    .description("show the scanner, printer and UPS this PC sees, and the configured ones")
    .option("-c, --config <file>", "settings file", DEFAULT_CONFIG_PATH)
    .option("--json", "machine-readable output")
    .addOption(LANG_OPTION())
    .action(async (_opts: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<{ config: string; json?: boolean; lang?: Lang }>();
      const lang = o.json ? "en" : langFor(o.lang, o.config);
      const t = translator(lang);
      const listing = await listDevices(o.config, t);
      process.stdout.write(
        `${o.json ? JSON.stringify(listing, null, 2) : formatListing(listing, t, lang)}\n`,
      );
    });

  program
    .command("doctor")
    .description("check settings, network, clock, disk, USB and devices, and say what to do")
    .option("-c, --config <file>", "settings file", DEFAULT_CONFIG_PATH)
    .option("--json", "machine-readable output")
    .addOption(LANG_OPTION())
    .action(async (_opts: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<{ config: string; json?: boolean; lang?: Lang }>();
      // --json is read by scripts and sent to the NOC: always English.
      const t = translator(o.json ? "en" : langFor(o.lang, o.config));
      const report = await runDoctor({ configPath: o.config, t });
      process.stdout.write(`${o.json ? JSON.stringify(report, null, 2) : formatDoctor(report, t)}\n`);
      if (!report.ok) process.exitCode = 1;
    });
}
