/**
 * What the agent's CLI says to station staff, in English. Keys are stable; hi.ts has the same keys.
 * Placeholders are ICU-style (agent/i18n/format.ts). Machine-read output (MQTT, JSON, logs) never comes
 * from here.
 */
import { devicesEn } from "./devices-en.js";
import { bookingEn } from "./booking-en.js";
import { cliEn } from "./cli-en.js";
import { slipEn } from "./slip-en.js";
import { doctorEn } from "./doctor-en.js";
import { hostEn } from "./host-en.js";

export const en = {
  ...hostEn,
  ...devicesEn,
  ...doctorEn,
  ...bookingEn,
  ...cliEn,
  ...slipEn,
  "status.station": "Station {station}",
  "status.stationNamed": "Station {station} ({name})",
  "status.agent.running": "Agent: running (version {version}, pid {pid})",
  "status.agent.notRunning":
    "Agent: NOT RUNNING. Ask the district technician to run: systemctl start station-agent",
  "status.agent.stoppedAt":
    "Agent: NOT RUNNING (stopped at {time}). Ask the district technician to run: systemctl start station-agent",
  "status.agent.lastSign":
    "Agent: NOT RUNNING (stopped without saying so; last sign of life at {time}). Ask the district technician to run: systemctl start station-agent",
  "status.agent.why":
    "Agent: NOT RUNNING ({reason}). Ask the district technician to run: systemctl start station-agent",
  "status.noc.connected": "State NOC: CONNECTED",
  "status.noc.connectedSince": "State NOC: CONNECTED since {time} ({ago})",
  "status.noc.notConnected":
    "State NOC: NOT CONNECTED. Nothing is lost: reports are kept on this computer and sent when the connection returns.",
  "status.noc.notConnectedWhy":
    "State NOC: NOT CONNECTED ({reason}). Nothing is lost: reports are kept on this computer and sent when the connection returns.",
  "status.outbox.none": "Reports waiting to be sent: none",
  "status.outbox.waiting": "Reports waiting to be sent: {count, number}",
  "status.outbox.waitingOldest": "Reports waiting to be sent: {count, number}, the oldest from {ago} ago",
  "status.dropped":
    "Reports thrown away because the disk was full: {metrics, number} readings, {events, number} events",
  "status.outage.none": "Last outage: none recorded",
  "status.outage.last": "Last outage: {cause}, at {time} for {duration}",
  "status.outage.lastOnLink": "Last outage: {cause} on link {link}, at {time} for {duration}",
  "status.uptime": "Connected to NOC: {day} of the last 24 h, {month} of the last 30 days",
  "status.clock.unsynced":
    "Clock: not set from the internet yet, so times may be wrong. The NOC is told; nothing to do unless it lasts a day.",
  "status.times.zone": "Times are station time ({zone}).",
  "status.times.utc": "Times are UTC.",
  "status.times.local": "Times are station time (this computer's time zone).",
  "status.whatToDo": "  What to do: {advice}",
  "status.device": "{kind} {device}: {health}",
  "status.deviceWhy": "{kind} {device}: {health} ({reason})",
  "status.err.cannotShow": "Cannot show the station's status.",
  "status.err.cannotRead": "Cannot read the settings file {path}: {why}.",
  "status.err.eacces": "this user is not allowed to read it",
  "status.err.enoent": "it does not exist",
  "status.err.mistakes": "The settings file {path} has mistakes:",
  "status.err.notInGroup":
    "- This user may not ask the agent ({socket}): it is not in the station-api group.\n  Ask the district technician to run: usermod -aG station-api YOUR-USER-NAME, then log out and in again.",
  "status.err.agentStopped":
    "- The agent does not answer ({socket}): it is probably stopped.\n  Ask the district technician to run: systemctl start station-agent",
  "status.err.agentSilent": "- The agent does not answer ({socket}): {error}.",
  "status.err.savedState": "its saved state cannot be read ({code})",
  "cause.power": "power cut (the computer restarted)",
  "cause.agent": "the agent was not running",
  "cause.network": "network: could not reach the state data centre",
  "kind.fingerprint": "fingerprint scanner",
  "kind.printer": "slip printer",
  "kind.ups": "UPS (battery backup)",
  "health.ready": "ready",
  "health.busy": "working",
  "health.faulted": "NOT WORKING",
  "health.absent": "NOT CONNECTED (absent)",
  "health.unavailable": "CANNOT BE USED",
  "advice.absent.fingerprint":
    "Plug the scanner's USB cable back in (try another USB socket). If it still says absent, call the district technician.",
  "advice.absent.printer":
    "Check that the printer is switched on and its cable is plugged in. If it still says absent, call the district technician.",
  "advice.absent.ups":
    "Check the USB cable between the UPS and the computer. If it still says absent, call the district technician.",
  "advice.faulted.fingerprint":
    "Unplug the scanner, wait 10 seconds and plug it in again. If it stays faulty, call the district technician.",
  "advice.faulted.printer":
    "Check the paper and the cover, then switch the printer off and on. If it stays faulty, call the district technician.",
  "advice.faulted.ups":
    "Switch the UPS off and on when the power is back. If it stays faulty, call the district technician.",
  "advice.unavailable":
    "The computer does not allow the agent to use it. Call the district technician (run: station-agent doctor).",
  "links.none": "Network links: none configured.",
  "link.who": "{link} ({iface}, {role})",
  "role.primary": "primary link",
  "role.backup": "backup link",
  "link.inUse": "in use",
  "link.standby": "standby",
  "link.since": " since {time} ({duration})",
  "link.loss": " Loss {loss} %.",
  "link.lossDelay": " Loss {loss} %, typical delay {rtt} ms.",
  "link.up": "{who}: working, {use}{since}.{figures}",
  "link.degraded": "{who}: working poorly, {use}{since}: {reason}.{figures}",
  "link.down": "{who}: NOT WORKING{since}: {reason}.",
  "link.downActive": "{who}: NOT WORKING{since}: {reason}. It is still the link in use.",
  "link.unchecked": "{who}: not checked yet.",
  "link.cannotCheck": "{who}: cannot be checked: {reason}.",
  "reason.none": "no reason recorded",
  "reason.noCarrier": "no signal on the cable: it is unplugged, or the router/modem is off",
  "reason.gateway": "the local router/modem does not answer",
  "reason.provider":
    "the local router answers, but the state data centre cannot be reached: a fault at the service provider",
  "reason.datacentre": "the state data centre cannot be reached",
  "reason.adapterMissing": "the network adapter {iface} is missing (USB modem unplugged?)",
  "reason.loss": "many messages are lost ({loss} %)",
  "reason.slow": "it is slow (typical delay {rtt} ms)",
  "reason.agentStopped": "the agent is not running",
  "duration.seconds": "{n} s",
  "duration.minutes": "{n} min",
  "duration.hours": "{n} h",
  "duration.hoursMinutes": "{h} h {m} min",
  "duration.days": "{n, plural, one {# day} other {# days}}",
  "duration.daysHours": "{d, plural, one {# day} other {# days}} {h} h",
} as const;

export type MessageKey = keyof typeof en;
