/**
 * `station-agent doctor`: every check station staff (or the NOC's `diagnose` command) needs, each with
 * its result and what to do about it. runDoctor() returns plain data; printing is separate.
 */
import { execFile } from "node:child_process";
import { constants as fsConstants, readFileSync } from "node:fs";
import { access, statfs, stat } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import type { DeviceConfig } from "../../config/devices.js";
import type { Config } from "../../config/schema.js";
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from "../../config/load.js";
import type { DiagnoseResult } from "../../contract/commands.js";
import { discoverDevices, type DiscoveryResult } from "../../drivers/discovery/discover.js";
import { loadHidBackend, type HidAvailability } from "../../drivers/transport/hid.js";
import { listSerialPorts } from "../../drivers/transport/serial.js";
import { isLocallyAttached, matchDevices, probePathsFor } from "../devices/match.js";
import { groupId } from "../../config/secret-mode.js";
import { apiSocketPath } from "../local-api.js";
import { probeBroker, type BrokerProbeResult } from "./broker-probe.js";
import { hostPort, interfaceExists, tcpReach, type Reach } from "./reach.js";

import { hostChecks } from "../host/describe.js";
import {
  DEFAULT_HOST_SETTINGS,
  sampleHostOnce,
  type HostHealthSettings,
  type HostSnapshot,
} from "../host/host-health.js";
import { RealHostSystem } from "../host/host-system.js";

const run = promisify(execFile);

/** The report is the `diagnose` command's result, so its shape lives in the contract. */
export type DoctorReport = DiagnoseResult;
export type DoctorCheck = DiagnoseResult["checks"][number];
export type CheckStatus = DoctorCheck["status"];

/** Everything doctor touches outside itself, so tests and the NOC `diagnose` handler can substitute. */
export interface DoctorDeps {
  loadConfig: (path: string) => Config;
  probeBroker: (config: Config) => Promise<BrokerProbeResult>;
  clockSynced: () => Promise<{ synced: boolean | null; how: string }>;
  freeBytes: (dir: string) => Promise<{ free: number; at: string }>;
  ping: () => Promise<{ ok: boolean; detail: string; fix?: string }>;
  loadHid: () => Promise<HidAvailability>;
  discover: (devices: readonly DeviceConfig[]) => Promise<DiscoveryResult>;
  /** The station PC's own health, sampled once (disks, SMART, time sync, temperature). */
  host: () => Promise<HostSnapshot>;
  interfaceExists: (name: string) => boolean;
  reach: (host: string, port: number) => Promise<Reach>;
  now: () => number;
}

export interface DoctorOptions {
  configPath?: string;
  /** An already-loaded config (the daemon's), instead of reading the file. */
  config?: Config;
  deps?: Partial<DoctorDeps>;
}

const MiB = 1024 * 1024;

export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const configPath = options.configPath ?? DEFAULT_CONFIG_PATH;
  const d: DoctorDeps = { ...defaultDeps(), ...options.deps };
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => checks.push(c);

  let config = options.config;
  if (config)
    add({
      id: "config",
      title: "Settings file",
      status: "ok",
      detail: `${configPath}, loaded by the running agent`,
    });
  else {
    try {
      config = d.loadConfig(configPath);
      add({ id: "config", title: "Settings file", status: "ok", detail: `${configPath} is valid` });
    } catch (e) {
      const problems = e instanceof ConfigError ? e.problems : [String(e)];
      add({
        id: "config",
        title: "Settings file",
        status: "fail",
        detail: problems.join("; "),
        fix: `correct ${configPath}, then run: station-agent config check --config ${configPath}`,
      });
    }
  }

  await guarded(add, "commands", "Commands from the NOC", async () => {
    if (!config) return { status: "skip", detail: "needs a valid settings file" };
    const c = config.commands;
    if (c.nocPublicKey) return { status: "ok", detail: `only commands signed with ${c.nocPublicKey}` };
    if (c.allowUnsigned) {
      return {
        status: "warn",
        detail:
          "commands.allowUnsigned is on: anyone who can publish to this station's command topics runs commands",
        fix: "set commands.nocPublicKey to the NOC's public key and remove commands.allowUnsigned",
      };
    }
    if (config.mqtt.url === "embedded")
      return { status: "ok", detail: "unsigned commands on the embedded (loopback) broker" };
    return {
      status: "warn",
      detail: "disabled: no commands.nocPublicKey, so the NOC cannot ask for rebirth, resend or diagnose",
      fix: "copy the NOC's public key (station-noc keygen) and set commands.nocPublicKey",
    };
  });

  await guarded(add, "broker", "Connection to the NOC broker", async () => {
    if (!config) return { status: "skip", detail: "needs a valid settings file" };
    if (config.mqtt.url === "embedded") return { status: "skip", detail: "embedded broker (lab/demo mode)" };
    const r = await d.probeBroker(config);
    return { status: r.ok ? "ok" : "fail", detail: r.detail, ...(r.fix ? { fix: r.fix } : {}) };
  });

  await guarded(add, "api", "Local API for the CCTNS client", async () => {
    if (!config) return { status: "skip", detail: "needs a valid settings file" };
    if (!config.api.enabled) return { status: "skip", detail: "api.enabled is false" };
    const where = apiSocketPath(config);
    const tcp = config.api.tcpPort !== undefined ? `; also loopback TCP port ${config.api.tcpPort}` : "";
    if (config.api.port !== undefined) {
      return {
        status: "warn",
        detail: `api.port ${config.api.port} is no longer used; the API is on ${where}${tcp}`,
        fix: "point the CCTNS client at the socket and remove api.port (or set api.tcpPort, below 1024)",
      };
    }
    if (groupId(config.api.socketGroup) === undefined) {
      return {
        status: "warn",
        detail: `${where}: group ${config.api.socketGroup} does not exist, so only the agent's own group can connect${tcp}`,
        fix: `create it (station-agent-setup users, or groupadd --system ${config.api.socketGroup}) and add the CCTNS client's user to it`,
      };
    }
    return { status: "ok", detail: `${where}, group ${config.api.socketGroup}${tcp}` };
  });

  await guarded(add, "clock", "Clock synchronised", async () => {
    if (config?.clock.assumeSynced !== undefined) {
      return { status: "ok", detail: `clock.assumeSynced is ${config.clock.assumeSynced} in the settings` };
    }
    const c = await d.clockSynced();
    if (c.synced === true) return { status: "ok", detail: `synchronised (${c.how})` };
    if (c.synced === false) {
      return {
        status: "warn",
        detail: `not synchronised (${c.how}); times in reports may be wrong until it is`,
        fix: "check NTP: timedatectl set-ntp true, and that the NTP server is reachable",
      };
    }
    return { status: "warn", detail: `cannot tell (${c.how})`, fix: "install systemd-timesyncd or chrony" };
  });

  await guarded(add, "disk", "Free disk space for the outbox", async () => {
    const dir = config?.storage.dir ?? "/var/lib/station-agent";
    const { free, at } = await d.freeBytes(dir);
    const want = config?.storage.maxBytes ?? 256 * MiB;
    const text = `${Math.floor(free / MiB)} MiB free at ${at}`;
    if (free < 64 * MiB)
      return {
        status: "fail",
        detail: text,
        fix: "free disk space: remove old files or logs (journalctl --vacuum-size=100M)",
      };
    if (free < want)
      return {
        status: "warn",
        detail: `${text}, less than the outbox may use (${Math.floor(want / MiB)} MiB)`,
        fix: "free disk space or lower storage.maxBytes",
      };
    return { status: "ok", detail: text };
  });

  for (const link of config?.links ?? []) {
    await guarded(add, `link:${link.name}`, `Network link ${link.name} (${link.role})`, async () =>
      d.interfaceExists(link.interface)
        ? { status: "ok", detail: `network adapter ${link.interface} is present` }
        : {
            status: "fail",
            detail: `there is no network adapter called ${link.interface} on this PC`,
            fix: `plug in the modem or cable for ${link.name}; if it is in, see the adapters with: ip link, and correct links[].interface`,
          },
    );
  }

  await guarded(add, "ping", "Ping tool for link checks", async () => {
    const p = await d.ping();
    return { status: p.ok ? "ok" : "fail", detail: p.detail, ...(p.fix ? { fix: p.fix } : {}) };
  });

  const wantsUps = !!config?.devices.some((x) => x.kind === "ups");
  let hid: HidAvailability | undefined;
  await guarded(add, "hid", "USB HID support (libusb, for the UPS)", async () => {
    hid = await d.loadHid();
    if (hid.available)
      return {
        status: "ok",
        detail: `node-hid works; ${(await hid.backend.list()).length} HID device(s) visible`,
      };
    return { status: wantsUps ? "fail" : "warn", detail: hid.reason, fix: hid.fix };
  });

  let found: DiscoveryResult | undefined;
  await guarded(add, "permissions", "Permission to open devices", async () => {
    found = await d.discover(config?.devices ?? []);
    const denied = found.devices.filter((x) => !x.accessible);
    if (found.devices.length === 0)
      return { status: "ok", detail: "no serial, HID or USB printer devices are plugged in to check" };
    if (denied.length === 0)
      return {
        status: "ok",
        detail: `the agent may open every device plugged in now (${found.devices.map((x) => x.path).join(", ")}); whether each configured device is there is checked below`,
      };
    return {
      status: "warn",
      detail: `cannot open: ${denied.map((x) => x.path).join(", ")}`,
      fix: "install the station-agent udev rules (docs/devices.md) or add the service user to the dialout and lp groups, then replug",
    };
  });

  for (const dev of config?.devices ?? []) {
    await guarded(add, `device:${dev.id}`, `Device ${dev.id} (${dev.kind})`, async () => {
      if (!isLocallyAttached(dev)) {
        const address = dev.kind === "printer" ? dev.tcp : dev.kind === "fingerprint" ? dev.url : undefined;
        if (!address) return { status: "skip", detail: `${dev.driver} has no address to check` };
        const { host, port } = hostPort(address);
        const r = await d.reach(host, port);
        const what = dev.kind === "printer" ? "network printer" : `${dev.driver} service`;
        return r.ok
          ? { status: "ok", detail: `${what} at ${address} answers` }
          : {
              status: "fail",
              detail: `${what} at ${address}: ${r.detail}`,
              fix:
                dev.kind === "printer"
                  ? "check that the printer is switched on and its network cable is in; print its self-test page (hold FEED while switching on) to see its address"
                  : `check that the ${dev.driver} service is installed and running on this PC`,
            };
      }
      const match = found ? matchDevices(config!.devices, found.devices).get(dev.id) : undefined;
      if (!match) {
        const how = dev.vendorId
          ? `USB ${dev.vendorId}${dev.productId ? `:${dev.productId}` : ""}${dev.serialNumber ? ` serial ${dev.serialNumber}` : ""}`
          : ("port" in dev && dev.port) || ("path" in dev && dev.path) || "a HID UPS";
        return {
          status: "fail",
          detail: `not found (looking for ${how})`,
          fix: "check that it is switched on and its USB cable is plugged in; run: station-agent devices",
        };
      }
      if (!match.accessible)
        return {
          status: "fail",
          detail: `found at ${match.path} but cannot be opened`,
          fix: "install the station-agent udev rules (docs/devices.md), then replug it",
        };
      if (dev.kind === "ups" && hid && !hid.available)
        return { status: "fail", detail: `found at ${match.path}, but ${hid.reason}`, fix: hid.fix };
      return {
        status: "ok",
        detail: `found at ${match.path}${match.vendorId ? ` (USB ${match.vendorId}:${match.productId ?? "?"})` : ""}`,
      };
    });
  }

  if (config?.host.enabled !== false) {
    await guarded(add, "pc", "The station PC", async () => {
      const settings = { ...DEFAULT_HOST_SETTINGS, ...(config ? pick(config.host) : {}) };
      const results = hostChecks(await d.host(), settings);
      const bad = results.filter((r) => r.ok === false);
      const unknown = results.filter((r) => r.ok === null);
      return {
        status: bad.length ? "fail" : unknown.length ? "warn" : "ok",
        detail: results
          .map((r) => `${r.ok === false ? "PROBLEM: " : r.ok === null ? "unknown: " : ""}${r.what}`)
          .join("; "),
        ...([...bad, ...unknown][0]?.fix
          ? { fix: [...bad, ...unknown].flatMap((r) => (r.fix ? [r.fix] : [])).join("; ") }
          : {}),
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
  add: (c: DoctorCheck) => void,
  id: string,
  title: string,
  fn: () => Promise<Omit<DoctorCheck, "id" | "title">>,
): Promise<void> {
  try {
    add({ id, title, ...(await fn()) });
  } catch (e) {
    add({ id, title, status: "fail", detail: `check failed: ${e instanceof Error ? e.message : String(e)}` });
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

async function clockSynced(): Promise<{ synced: boolean | null; how: string }> {
  try {
    const { stdout } = await run("timedatectl", ["show", "-p", "NTPSynchronized", "--value"], {
      timeout: 3000,
    });
    const v = stdout.trim();
    if (v === "yes" || v === "no") return { synced: v === "yes", how: "timedatectl" };
  } catch {
    // No systemd running (containers, minimal images): fall through to the timesyncd flag file.
  }
  try {
    await stat("/run/systemd/timesync/synchronized");
    return { synced: true, how: "systemd-timesyncd" };
  } catch {
    // not there
  }
  try {
    const { stdout } = await run("chronyc", ["-n", "tracking"], { timeout: 3000 });
    return { synced: !/Not synchronised|Reference ID\s*:\s*0+\b/.test(stdout), how: "chronyc" };
  } catch {
    return { synced: null, how: "no timedatectl, timesyncd or chronyc answered" };
  }
}

async function freeBytes(dir: string): Promise<{ free: number; at: string }> {
  // The outbox directory may not exist yet on a new station: measure the filesystem it will be on.
  let at = dir;
  for (;;) {
    try {
      const s = await statfs(at);
      return { free: s.bavail * s.bsize, at };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || dirname(at) === at) throw e;
      at = dirname(at);
    }
  }
}

async function checkPing(): Promise<{ ok: boolean; detail: string; fix?: string }> {
  const bin = await which("ping");
  if (!bin) return { ok: false, detail: "ping is not installed", fix: "apt-get install iputils-ping" };
  try {
    await run(bin, ["-c", "1", "-W", "1", "127.0.0.1"], { timeout: 5000 });
    return { ok: true, detail: `${bin} works` };
  } catch (e) {
    const text = `${(e as { stderr?: string }).stderr ?? ""} ${(e as Error).message}`;
    if (/Operation not permitted|permission denied|EPERM/i.test(text)) {
      return {
        ok: false,
        detail: `${bin} is not allowed to send ICMP as this user`,
        fix: `setcap cap_net_raw+ep ${bin} (the service unit grants CAP_NET_RAW itself)`,
      };
    }
    return {
      ok: false,
      detail: `${bin} failed: ${text.trim().split("\n")[0]}`,
      fix: "check that the loopback interface is up",
    };
  }
}

async function which(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin:/usr/sbin:/sbin").split(delimiter)) {
    const p = join(dir, name);
    try {
      await access(p, fsConstants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}
