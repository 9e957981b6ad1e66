/**
 * Events as sentences a person reads (`station-agent watch`, the NOC's Events table). The payload stays
 * the machine's; this is only how it is shown. `at` turns an RFC 3339 time into the reader's clock time,
 * so every program shows times in its own reader's zone. Unknown types give undefined: show the raw JSON.
 */
type Data = Record<string, unknown>;

const str = (v: unknown): string =>
  typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

export function durationWords(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}

const CAUSES: Record<string, string> = {
  power: "power cut (the PC was off)",
  agent: "the agent was not running",
  network: "the network: the agent ran but could not reach the NOC",
};

function battery(d: Data): string {
  const pct = num(d.batteryPct);
  const rt = num(d.runtimeS);
  return [
    pct !== undefined ? `battery ${Math.round(pct)} %` : "",
    rt !== undefined ? `about ${durationWords(rt)} left` : "",
  ]
    .filter(Boolean)
    .join(", ");
}

export function eventSentence(type: string, d: Data, at: (iso: string) => string): string | undefined {
  const because = (r: unknown) => (str(r) ? `: ${str(r)}` : "");
  const link = `link ${str(d.link)}${d.interface ? ` (${str(d.interface)}, ${str(d.role)})` : ""}`;
  switch (type) {
    case "agent.started":
      return `Agent ${str(d.version)} started on ${str(d.host)}; the PC booted at ${at(str(d.bootTime))}.`;
    case "agent.stopped":
      return `Agent stopped (${str(d.cause)}).`;
    case "storage.corrupt":
      return `The ${str(d.store)} database was damaged and set aside as ${str(d.movedTo)}; a new one was started.`;
    case "outage": {
      const cause = CAUSES[str(d.cause)] ?? str(d.cause);
      const dur = num(d.durationS);
      return `Dark from ${at(str(d.start))} to ${at(str(d.end))}${dur !== undefined ? ` (${durationWords(dur)})` : ""}: ${cause}${d.link ? ` on link ${str(d.link)}` : ""}.`;
    }
    case "uptime.daily": {
      const p = num(d.nocPct);
      return `Day ${str(d.date)}: connected to the NOC ${p !== undefined ? `${p.toFixed(1)} %` : "n/a"} of the time.`;
    }
    case "link.down":
      return `${cap(link)} went down${because(d.reason)}.`;
    case "link.degraded":
      return `${cap(link)} is working poorly${because(d.reason)}.`;
    case "link.up": {
      const prev = d.previous as Data | undefined;
      const dur = num(prev?.durationS);
      return `${cap(link)} is up again${prev ? ` after ${dur !== undefined ? durationWords(dur) : "a while"} ${str(prev.state)}` : ""}.`;
    }
    case "failover":
      return d.failback
        ? `Traffic is back on the primary link ${str(d.to)} (from ${str(d.from)}).`
        : `Traffic moved from ${str(d.from)} to the ${str(d.toRole)} link ${str(d.to)}${because(d.reason)}.`;
    case "device.ready":
    case "device.busy":
    case "device.faulted":
    case "device.absent":
    case "device.unavailable":
      return `${str(d.kind) === "fingerprint" ? "Fingerprint scanner" : "Device"} ${str(d.device)} is ${type.slice(7)}${because(d.reason)}.`;
    case "device.attached":
    case "device.detached":
      return `A USB ${str(d.kind)} device was ${type === "device.attached" ? "plugged in" : "unplugged"} at ${str(d.path)}${d.device ? ` (${str(d.device)})` : d.configured === false ? " (not in the settings)" : ""}.`;
    case "fingerprint.capture":
      return `Fingerprint taken on ${str(d.device)} (${str(d.finger)}), quality ${str(d.quality)}.`;
    case "fingerprint.capture-failed":
      return `Fingerprint capture failed on ${str(d.device)} (${str(d.finger)}): ${str(d.error)}.`;
    case "print.failed":
      return `Printing a ${str(d.template)} slip on ${str(d.device)} failed: ${str(d.detail) || str(d.reason)}.`;
    case "printer.paper-out":
      return `Printer ${str(d.device)} is out of paper.`;
    case "printer.cover-open":
      return `Printer ${str(d.device)}'s cover is open.`;
    case "printer.faulted":
      return `Printer ${str(d.device)} has a fault${because(d.detail ?? d.reason)}.`;
    case "printer.recovered":
      return `Printer ${str(d.device)} works again${d.after ? ` (after ${str(d.after)})` : ""}.`;
    case "printer.paper-near-end":
      return `Printer ${str(d.device)}: paper is running out.`;
    case "power.mains-lost":
      return `Mains power lost; on UPS battery${battery(d) ? ` (${battery(d)})` : ""}.`;
    case "power.battery-low":
      return `UPS battery low${battery(d) ? ` (${battery(d)})` : ""}.`;
    case "power.shutdown-imminent":
      return `UPS about to switch off${battery(d) ? ` (${battery(d)})` : ""}.`;
    case "power.mains-restored": {
      const s = num(d.onBatteryS);
      return `Mains power is back${s !== undefined ? ` after ${durationWords(s)} on battery` : ""}.`;
    }
    case "booking.started":
      return `Arrest booking ${str(d.booking)} started (${str(d.plan)}, ${str(d.positions)} positions).`;
    case "booking.sealed":
      return `Arrest booking ${str(d.booking)} sealed as ${str(d.tcn)} (${str(d.impressions)} images).`;
    case "booking.forwarded": {
      const w = num(d.waitS);
      return `Arrest booking ${str(d.booking)} (${str(d.tcn)}) received by the ${str(d.by) === "cctns-client" ? "CCTNS client" : "fingerprint bureau"}${w !== undefined ? ` ${durationWords(w)} after sealing` : ""}.`;
    }
    case "booking.failed":
      return `Arrest booking ${str(d.booking)} failed at ${str(d.stage)}: ${str(d.error)}.`;
    case "booking.abandoned":
      return `Arrest booking ${str(d.booking)} was abandoned before sealing.`;
    case "host.disk-low":
    case "host.disk-failing":
    case "host.clock-unsynced":
    case "host.overheating":
      return str(d.condition) === "cleared"
        ? `Station PC, all right again: ${str(d.detail)}.`
        : `Station PC: ${str(d.detail)}.`;
    case "config.applied":
      return `Settings from the NOC, version ${str(d.version)}, are in force.`;
    case "config.rolled-back":
      return `Settings from the NOC, version ${str(d.version)}, were undone${because(d.reason)}.`;
    case "update.applied":
      return `Agent updated from ${str(d.from)} to ${str(d.to)}.`;
    case "update.rolled-back":
      return `Agent update to ${str(d.to)} was undone; back on ${str(d.from)}${because(d.reason)}.`;
    case "update.failed":
      return `Agent update to ${str(d.to)} could not be installed${because(d.reason)}.`;
    default:
      return undefined;
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
