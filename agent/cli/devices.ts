/**
 * `station-agent devices` and `station-agent doctor`, in plain words for station staff.
 * The lead's agent/cli.ts calls registerDeviceCommands(program); the NOC `diagnose` handler calls
 * runDoctor() directly and sends its result.
 */
import type { Command } from "commander";
import type { DeviceConfig } from "../../config/devices.js";
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from "../../config/load.js";
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

export { runDoctor, type DoctorCheck, type DoctorReport, type DoctorOptions } from "../doctor/doctor.js";

const KIND_WORDS: Record<DeviceConfig["kind"], string> = {
  fingerprint: "fingerprint scanner",
  printer: "slip printer",
  ups: "UPS (battery backup)",
};

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
  }[];
  others: DiscoveredDevice[];
  notes: string[];
}

export async function listDevices(configPath: string): Promise<DeviceListing> {
  const notes: string[] = [];
  let devices: DeviceConfig[] = [];
  let station: string | undefined;
  try {
    const { config } = loadConfig(configPath);
    devices = config.devices;
    station = config.station.id;
  } catch (e) {
    notes.push(
      `settings file not usable, showing plugged-in devices only: ${e instanceof ConfigError ? e.problems.join("; ") : String(e)}`,
    );
  }
  const found = await discoverDevices({ listSerialPorts, probePaths: probePathsFor(devices) });
  notes.push(...found.notes);
  const matches = matchDevices(devices, found.devices);
  const claimed = new Set(matches.values());
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
    if (d.kind === "ups" && device) entry.ups = await upsSummary(d);
    const address = d.kind === "printer" ? d.tcp : d.kind === "fingerprint" ? d.url : undefined;
    if (!entry.watched && address) {
      const { host, port } = hostPort(address);
      const r = await tcpReach(host, port);
      entry.network = { address, answers: r.ok, detail: r.detail };
    }
    configured.push(entry);
  }
  return {
    ...(station ? { station } : {}),
    configured,
    others: found.devices.filter((x) => !claimed.has(x)),
    notes,
  };
}

/** One reading from the UPS, in words; or why it cannot be read. */
async function upsSummary(cfg: Extract<DeviceConfig, { kind: "ups" }>): Promise<string> {
  const hid = await loadHidBackend();
  if (!hid.available) return `cannot be read: ${hid.reason} (${hid.fix})`;
  try {
    const info = pickUps(await hid.backend.list(), cfg);
    if (!info) return "no USB UPS answers";
    const ups = HidUps.open(
      info,
      await hid.backend.readDescriptor(info.path),
      await hid.backend.open(info.path),
    );
    try {
      const s = powerStatus((await ups.poll()).reading, { lowBatteryPct: cfg.lowBatteryPct });
      const mains =
        s.mainsPresent === true
          ? "on mains power"
          : s.mainsPresent === false
            ? "ON BATTERY (mains power is off)"
            : "mains power unknown";
      const pct = s.batteryPct !== null ? `, battery ${Math.round(s.batteryPct)} %` : "";
      const rt = s.runtimeS !== null ? `, about ${Math.round(s.runtimeS / 60)} min left on battery` : "";
      return `${mains}${pct}${rt}${s.batteryLow ? ", BATTERY LOW" : ""}`;
    } finally {
      await ups.close();
    }
  } catch (e) {
    return `cannot be read: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function describeDevice(d: DiscoveredDevice): string {
  const vendor = d.vendorId ? quirksFor(parseInt(d.vendorId, 16))?.vendor : undefined;
  const ids = d.vendorId ? `USB ${d.vendorId}:${d.productId ?? "????"}` : undefined;
  const name = [d.manufacturer ?? vendor, d.product].filter(Boolean).join(" ");
  const extra = [ids, name || undefined, d.serialNumber ? `serial ${d.serialNumber}` : undefined]
    .filter(Boolean)
    .join(", ");
  return `${d.path}${extra ? ` (${extra})` : ""}${d.accessible ? "" : " - NO PERMISSION to open it"}`;
}

const OTHER_WORDS = { serial: "serial port", hid: "HID device", printer: "USB printer" } as const;

export function formatListing(l: DeviceListing): string {
  const lines: string[] = [`Devices${l.station ? ` at station ${l.station}` : ""}:`];
  if (l.configured.length === 0) lines.push("  (no devices in the settings file)");
  for (const c of l.configured) {
    const what = `  ${c.id} - ${KIND_WORDS[c.kind]}: `;
    if (c.network)
      lines.push(
        c.network.answers
          ? `${what}on the network at ${c.network.address}, answers`
          : `${what}on the network at ${c.network.address}, DOES NOT ANSWER: ${c.network.detail}. Check that it is switched on and its network cable is in.`,
      );
    else if (!c.watched) lines.push(`${what}used through its own service (not a local port)`);
    else if (c.device) lines.push(`${what}connected at ${describeDevice(c.device)}`);
    else lines.push(`${what}NOT FOUND. Check that it is switched on and that its cable is plugged in.`);
    if (c.ups) lines.push(`      UPS says: ${c.ups}`);
  }
  if (l.others.length > 0) {
    lines.push("Also plugged in (not in the settings file):");
    for (const d of l.others)
      lines.push(`  ${OTHER_WORDS[d.kind]}${d.ups ? " (a UPS)" : ""} ${describeDevice(d)}`);
  }
  for (const n of l.notes) lines.push(`Note: ${n}`);
  return lines.join("\n");
}

const MARK = { ok: "[ OK ]", warn: "[WARN]", fail: "[FAIL]", skip: "[ -- ]" } as const;

export function formatDoctor(r: DoctorReport): string {
  const lines = r.checks.map(
    (c) =>
      `${MARK[c.status]} ${c.title}: ${c.detail}${c.fix && c.status !== "ok" ? `\n       What to do: ${c.fix}` : ""}`,
  );
  const fails = r.checks.filter((c) => c.status === "fail").length;
  lines.push(
    fails === 0
      ? "All checks passed."
      : `${fails} check(s) failed. Fix them from the top; the first one often causes the rest.`,
  );
  return lines.join("\n");
}

export function registerDeviceCommands(program: Command): void {
  program
    .command("devices")
    .description("show the scanner, printer and UPS this PC sees, and the configured ones")
    .option("-c, --config <file>", "settings file", DEFAULT_CONFIG_PATH)
    .option("--json", "machine-readable output")
    .action(async (_opts: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<{ config: string; json?: boolean }>();
      const listing = await listDevices(o.config);
      process.stdout.write(`${o.json ? JSON.stringify(listing, null, 2) : formatListing(listing)}\n`);
    });

  program
    .command("doctor")
    .description("check settings, network, clock, disk, USB and devices, and say what to do")
    .option("-c, --config <file>", "settings file", DEFAULT_CONFIG_PATH)
    .option("--json", "machine-readable output")
    .action(async (_opts: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<{ config: string; json?: boolean }>();
      const report = await runDoctor({ configPath: o.config });
      process.stdout.write(`${o.json ? JSON.stringify(report, null, 2) : formatDoctor(report)}\n`);
      if (!report.ok) process.exitCode = 1;
    });
}
