/**
 * `station-agent doctor`: every check station staff (or the NOC's `diagnose` command) needs, each with
 * its result and what to do about it. runDoctor() returns plain data; printing is separate.
 */
import { readFileSync } from "node:fs";
import type { DeviceConfig } from "../../config/devices.js";
import type { Config } from "../../config/schema.js";
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from "../../config/load.js";
import type { DiagnoseResult } from "../../contract/commands.js";
import { discoverDevices, type DiscoveryResult } from "../../drivers/discovery/discover.js";
import { loadHidBackend, type HidAvailability, type HidProblem } from "../../drivers/transport/hid.js";
import { listSerialPorts } from "../../drivers/transport/serial.js";
import { isLocallyAttached, matchDevices, probePathsFor } from "../devices/match.js";
import { groupId } from "../../config/secret-mode.js";
import { english } from "../i18n/english.js";
import type { Translate } from "../i18n/index.js";
import { say, type Note } from "../i18n/note.js";
import { apiSocketPath } from "../local-api.js";
import { probeBroker, type BrokerProbeResult } from "./broker-probe.js";
import { checkPing, clockSynced, freeBytes } from "./probes.js";
import { hostPort, interfaceExists, tcpReach, type Reach } from "./reach.js";

import { hostChecks } from "../host/describe.js";
import {
  DEFAULT_HOST_SETTINGS,
  sampleHostOnce,
  type HostHealthSettings,
  type HostSnapshot,
} from "../host/host-health.js";
import { RealHostSystem } from "../host/host-system.js";

/** The report is the `diagnose` command's result, so its shape lives in the contract. */
export type DoctorReport = DiagnoseResult;
export type DoctorCheck = DiagnoseResult["checks"][number];
export type CheckStatus = DoctorCheck["status"];

/** Everything doctor touches outside itself, so tests and the NOC `diagnose` handler can substitute. */
/** Everything doctor touches outside itself, so tests and the NOC `diagnose` handler can substitute. */
export interface DoctorDeps {
  loadConfig: (path: string) => Config;
  probeBroker: (config: Config) => Promise<BrokerProbeResult>;
  clockSynced: () => Promise<{ synced: boolean | null; how: Words }>;
  freeBytes: (dir: string) => Promise<{ free: number; at: string }>;
  ping: () => Promise<{ ok: boolean; detail: Words; fix?: Words }>;
  loadHid: () => Promise<HidAvailability>;
  discover: (devices: readonly DeviceConfig[]) => Promise<DiscoveryResult>;
  /** The station PC's own health, sampled once (disks, SMART, time sync, temperature). */
  host: () => Promise<HostSnapshot>;
  interfaceExists: (name: string) => boolean;
  reach: (host: string, port: number) => Promise<Reach>;
  now: () => number;
}

/** Words already made (a test's stub, a tool's own message) or a note still to be worded. */
export type Words = string | Note;

export interface DoctorOptions {
  configPath?: string;
  /** An already-loaded config (the daemon's), instead of reading the file. */
  config?: Config;
  deps?: Partial<DoctorDeps>;
  /** The reader's words; English (the NOC's diagnose reply, `--json`) when absent. */
  t?: Translate;
}

const MiB = 1024 * 1024;

export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const configPath = options.configPath ?? DEFAULT_CONFIG_PATH;
  const d: DoctorDeps = { ...defaultDeps(), ...options.deps };
  const t: Translate = options.t ?? english;
  const w = (x: Words) => say(t, x);
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => checks.push(c);
  const check = (id: string, title: string, fn: () => Promise<Omit<DoctorCheck, "id" | "title">>) =>
    guarded(t, add, id, title, fn);
  const needsConfig = { status: "skip", detail: t("doctor.needsConfig") } as const;

  let config = options.config;
  if (config)
    add({
      id: "config",
      title: t("doctor.title.config"),
      status: "ok",
      detail: t("doctor.config.running", { path: configPath }),
    });
  else {
    try {
      config = d.loadConfig(configPath);
      add({
        id: "config",
        title: t("doctor.title.config"),
        status: "ok",
        detail: t("doctor.config.valid", { path: configPath }),
      });
    } catch (e) {
      const problems = e instanceof ConfigError ? e.problems : [String(e)];
      add({
        id: "config",
        title: t("doctor.title.config"),
        status: "fail",
        detail: t("doctor.config.invalid", { problems: problems.join("; ") }),
        fix: t("doctor.config.fix", { path: configPath }),
      });
    }
  }

  await check("commands", t("doctor.title.commands"), async () => {
    if (!config) return needsConfig;
    const c = config.commands;
    if (c.nocPublicKey) return { status: "ok", detail: t("doctor.commands.signed", { key: c.nocPublicKey }) };
    if (c.allowUnsigned)
      return {
        status: "warn",
        detail: t("doctor.commands.unsigned"),
        fix: t("doctor.commands.unsigned.fix"),
      };
    if (config.mqtt.url === "embedded") return { status: "ok", detail: t("doctor.commands.embedded") };
    return { status: "warn", detail: t("doctor.commands.disabled"), fix: t("doctor.commands.disabled.fix") };
  });

  await check("broker", t("doctor.title.broker"), async () => {
    if (!config) return needsConfig;
    if (config.mqtt.url === "embedded") return { status: "skip", detail: t("doctor.broker.embedded") };
    const r = await d.probeBroker(config);
    const fix = r.say?.fix ?? r.fix;
    return {
      status: r.ok ? "ok" : "fail",
      detail: w(r.say?.detail ?? r.detail),
      ...(fix ? { fix: w(fix) } : {}),
    };
  });

  await check("api", t("doctor.title.api"), async () => {
    if (!config) return needsConfig;
    if (!config.api.enabled) return { status: "skip", detail: t("doctor.api.disabled") };
    const where = apiSocketPath(config);
    const tcp = config.api.tcpPort !== undefined ? t("doctor.api.tcp", { port: config.api.tcpPort }) : "";
    if (config.api.port !== undefined)
      return {
        status: "warn",
        detail: t("doctor.api.oldPort", { port: config.api.port, where, tcp }),
        fix: t("doctor.api.oldPort.fix"),
      };
    const group = config.api.socketGroup;
    if (groupId(group) === undefined)
      return {
        status: "warn",
        detail: t("doctor.api.noGroup", { where, group, tcp }),
        fix: t("doctor.api.noGroup.fix", { group }),
      };
    return { status: "ok", detail: t("doctor.api.ok", { where, group, tcp }) };
  });

  await check("clock", t("doctor.title.clock"), async () => {
    if (config?.clock.assumeSynced !== undefined)
      return {
        status: "ok",
        detail: t("doctor.clock.assumed", { value: String(config.clock.assumeSynced) }),
      };
    const c = await d.clockSynced();
    const how = w(c.how);
    if (c.synced === true) return { status: "ok", detail: t("doctor.clock.synced", { how }) };
    if (c.synced === false)
      return {
        status: "warn",
        detail: t("doctor.clock.unsynced", { how }),
        fix: t("doctor.clock.unsynced.fix"),
      };
    return { status: "warn", detail: t("doctor.clock.unknown", { how }), fix: t("doctor.clock.unknown.fix") };
  });

  await check("disk", t("doctor.title.disk"), async () => {
    const dir = config?.storage.dir ?? "/var/lib/station-agent";
    const { free, at } = await d.freeBytes(dir);
    const want = config?.storage.maxBytes ?? 256 * MiB;
    const mib = Math.floor(free / MiB);
    if (free < 64 * MiB)
      return { status: "fail", detail: t("doctor.disk.free", { mib, at }), fix: t("doctor.disk.low.fix") };
    if (free < want)
      return {
        status: "warn",
        detail: t("doctor.disk.belowOutbox", { mib, at, want: Math.floor(want / MiB) }),
        fix: t("doctor.disk.belowOutbox.fix"),
      };
    return { status: "ok", detail: t("doctor.disk.free", { mib, at }) };
  });

  for (const link of config?.links ?? []) {
    const role = t(link.role === "primary" ? "role.primary" : "role.backup");
    const iface = link.interface;
    await check(`link:${link.name}`, t("doctor.title.link", { link: link.name, role }), async () =>
      d.interfaceExists(iface)
        ? { status: "ok", detail: t("doctor.link.present", { iface }) }
        : {
            status: "fail",
            detail: t("doctor.link.missing", { iface }),
            fix: t("doctor.link.missing.fix", { link: link.name }),
          },
    );
  }

  await check("ping", t("doctor.title.ping"), async () => {
    const p = await d.ping();
    return { status: p.ok ? "ok" : "fail", detail: w(p.detail), ...(p.fix ? { fix: w(p.fix) } : {}) };
  });

  const wantsUps = !!config?.devices.some((x) => x.kind === "ups");
  let hid: HidAvailability | undefined;
  const hidReason = (h: HidProblem) => t(`hid.${h.code}`, { error: h.error });
  await check("hid", t("doctor.title.hid"), async () => {
    hid = await d.loadHid();
    if (hid.available)
      return { status: "ok", detail: t("doctor.hid.works", { count: (await hid.backend.list()).length }) };
    return { status: wantsUps ? "fail" : "warn", detail: hidReason(hid), fix: t(`hid.${hid.code}.fix`) };
  });

  let found: DiscoveryResult | undefined;
  await check("permissions", t("doctor.title.permissions"), async () => {
    found = await d.discover(config?.devices ?? []);
    const denied = found.devices.filter((x) => !x.accessible);
    if (found.devices.length === 0) return { status: "ok", detail: t("doctor.perm.none") };
    if (denied.length === 0)
      return {
        status: "ok",
        detail: t("doctor.perm.all", { paths: found.devices.map((x) => x.path).join(", ") }),
      };
    return {
      status: "warn",
      detail: t("doctor.perm.denied", { paths: denied.map((x) => x.path).join(", ") }),
      fix: t("doctor.perm.denied.fix"),
    };
  });

  for (const dev of config?.devices ?? []) {
    const title = t("doctor.title.device", { device: dev.id, kind: t(`kind.${dev.kind}`) });
    await check(`device:${dev.id}`, title, async () => {
      if (!isLocallyAttached(dev)) {
        const address = dev.kind === "printer" ? dev.tcp : dev.kind === "fingerprint" ? dev.url : undefined;
        if (!address) return { status: "skip", detail: t("doctor.device.noAddress", { driver: dev.driver }) };
        const { host, port } = hostPort(address);
        const r = await d.reach(host, port);
        const printer = dev.kind === "printer";
        const what = printer
          ? t("doctor.device.netPrinter")
          : t("doctor.device.service", { driver: dev.driver });
        return r.ok
          ? { status: "ok", detail: t("doctor.device.answers", { what, address }) }
          : {
              status: "fail",
              detail: t("doctor.device.noAnswer", { what, address, why: w(r.say ?? r.detail) }),
              fix: printer
                ? t("doctor.device.netPrinter.fix")
                : t("doctor.device.service.fix", { driver: dev.driver }),
            };
      }
      const match = found ? matchDevices(config!.devices, found.devices).get(dev.id) : undefined;
      if (!match) {
        const how = dev.vendorId
          ? `USB ${dev.vendorId}${dev.productId ? `:${dev.productId}` : ""}${dev.serialNumber ? ` serial ${dev.serialNumber}` : ""}`
          : ("port" in dev && dev.port) || ("path" in dev && dev.path) || t("doctor.device.anyUps");
        return {
          status: "fail",
          detail: t("doctor.device.notFound", { how }),
          fix: t("doctor.device.notFound.fix"),
        };
      }
      if (!match.accessible)
        return {
          status: "fail",
          detail: t("doctor.device.cannotOpen", { path: match.path }),
          fix: t("doctor.device.cannotOpen.fix"),
        };
      if (dev.kind === "ups" && hid && !hid.available)
        return {
          status: "fail",
          detail: t("doctor.device.foundButHid", { path: match.path, reason: hidReason(hid) }),
          fix: t(`hid.${hid.code}.fix`),
        };
      const usb = match.vendorId
        ? t("doctor.device.usb", { vid: match.vendorId, pid: match.productId ?? "?" })
        : "";
      return { status: "ok", detail: t("doctor.device.found", { path: match.path, usb }) };
    });
  }

  if (config?.host.enabled !== false) {
    await check("pc", t("doctor.title.pc"), async () => {
      const settings = { ...DEFAULT_HOST_SETTINGS, ...(config ? pick(config.host) : {}) };
      const results = hostChecks(await d.host(), settings);
      const bad = results.filter((r) => r.ok === false);
      const unknown = results.filter((r) => r.ok === null);
      const fixes = [...bad, ...unknown].flatMap((r) => (r.fix ? [w(r.fix)] : []));
      return {
        status: bad.length ? "fail" : unknown.length ? "warn" : "ok",
        detail: results
          .map((r) =>
            r.ok === false
              ? t("doctor.pc.problem", { what: w(r.what) })
              : r.ok === null
                ? t("doctor.pc.unknown", { what: w(r.what) })
                : w(r.what),
          )
          .join("; "),
        ...(fixes.length ? { fix: fixes.join("; ") } : {}),
      };
    });
  }

  return {
    ok: !checks.some((c) => c.status === "fail"),
    time: new Date(d.now()).toISOString(),
    configPath,
    checks,
  };
}

async function guarded(
  t: Translate,
  add: (c: DoctorCheck) => void,
  id: string,
  title: string,
  fn: () => Promise<Omit<DoctorCheck, "id" | "title">>,
): Promise<void> {
  try {
    add({ id, title, ...(await fn()) });
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    add({ id, title, status: "fail", detail: t("doctor.checkFailed", { error }) });
  }
}

export function defaultDeps(): DoctorDeps {
  return {
    loadConfig: (path) => loadConfig(path).config,
    probeBroker: (c) =>
      probeBroker({
        url: c.mqtt.url,
        ...(c.mqtt.username !== undefined ? { username: c.mqtt.username } : {}),
        ...(passwordOf(c) !== undefined ? { password: passwordOf(c)! } : {}),
        ...(c.mqtt.tls ? { tls: c.mqtt.tls } : {}),
        clientId: `${c.mqtt.clientId ?? c.station.id}-doctor`,
      }),
    clockSynced,
    freeBytes,
    ping: checkPing,
    loadHid: () => loadHidBackend(),
    discover: (devices) => discoverDevices({ listSerialPorts, probePaths: probePathsFor(devices) }),
    host: () => sampleHostOnce(new RealHostSystem()),
    interfaceExists: (name) => interfaceExists(name),
    reach: (host, port) => tcpReach(host, port),
    now: () => Date.now(),
  };
}

function pick(h: Config["host"]): Partial<HostHealthSettings> {
  const { dataPaths, diskLowPct, diskClearPct, overheatC, overheatClearC, clockUnsyncedAfterS } = h;
  return { dataPaths, diskLowPct, diskClearPct, overheatC, overheatClearC, clockUnsyncedAfterS };
}

function passwordOf(c: Config): string | undefined {
  if (c.mqtt.password !== undefined) return c.mqtt.password;
  if (c.mqtt.passwordFile) return readFileSync(c.mqtt.passwordFile, "utf8").trim();
  return undefined;
}
