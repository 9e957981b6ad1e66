// When each event type is sent, with a realistic `data`. Typed by EventData, so an event type added to
// the contract without a description here does not compile.
import type { EventData, EventType } from "../../contract/index.js";

type EventDocs = { [K in EventType]: { when: string; example: EventData[K] } };

const linkEvidence = {
  interface: "eth0",
  operstate: "up",
  carrier: true,
  addresses: ["10.44.17.23/28"],
  targets: [{ name: "dc", address: "10.1.1.10", state: "down", lastOkAt: "2026-03-10T08:02:03.000Z" }],
};
const scanner = { device: "scanner1", kind: "fingerprint", driver: "r30x" } as const;
const hotplug = {
  device: "scanner1",
  configured: true,
  kind: "serial",
  path: "/dev/ttyUSB0",
  vendorId: "10c4",
  productId: "ea60",
  product: "CP2102 USB to UART Bridge Controller",
} as const;

export const EVENT_DOCS: EventDocs = {
  "agent.started": {
    when: "Each time the agent starts: after a boot, a restart or an update.",
    example: {
      version: "0.1.0",
      bootId: "6f1c2a4e-8d0b-4b7e-9a53-2f0f6c1d9e47",
      bootTime: "2026-03-10T03:12:05.000Z",
      configHash: "sha256:9c41e0d2b7a3",
      host: "ngp-sitabuldi-pc1",
    },
  },
  "agent.stopped": {
    when:
      "When the agent stops cleanly (systemd stop, SIGTERM). After a crash or a power cut nothing is sent " +
      "then; the `outage` record follows when the agent is back.",
    example: { cause: "SIGTERM" },
  },
  "storage.corrupt": {
    when:
      "At start, when the outbox or the ledger database could not be read and was moved aside. Messages " +
      "that were waiting in a damaged outbox are lost; the NOC sees them as a gap.",
    example: {
      store: "outbox",
      movedTo: "/var/lib/station-agent/outbox.db.corrupt-1773135125000",
      error: "database disk image is malformed",
    },
  },
  outage: {
    when:
      "Once per dark interval of 5 s or more, when the agent can report again. The station's own ledger " +
      "classifies it: a new boot id means **power**; the same boot with the agent not running means " +
      "**agent**; the agent running but the broker unreachable means **network**. The envelope `time` is " +
      "`end`.",
    example: {
      start: "2026-03-10T09:10:26.000Z",
      end: "2026-03-10T09:41:27.512Z",
      durationS: 1862,
      cause: "network",
      link: "mpls",
      evidence: {
        reason: "no reply from the data centre (10.1.1.10) for 10 s",
        state: "down",
        interface: "eth0",
        role: "primary",
        from: "2026-03-10T09:10:29.000Z",
        overlapS: 1859,
        firstFailAt: "2026-03-10T09:10:19.000Z",
        activeAtStart: "mpls",
        failoverTo: "4g",
      },
    },
  },
  "uptime.daily": {
    when: "Shortly after local midnight (`ledger.timezone`): the availability of the 24 hours just ended.",
    example: {
      date: "2026-03-09",
      timezone: "Asia/Kolkata",
      coveredS: 86400,
      poweredPct: 100,
      agentPct: 100,
      nocPct: 97.85,
      outageS: { power: 0, agent: 0, network: 1861 },
    },
  },
  "link.down": {
    when:
      "When a link fails: its carrier is lost, or its probes to the data centre go unanswered for " +
      "`downAfter` rounds. `firstFailAt` is the first failing probe; the envelope `time` is when the agent " +
      "decided.",
    example: {
      link: "mpls",
      interface: "eth0",
      role: "primary",
      from: "up",
      reason: "no reply from the data centre (10.1.1.10) for 10 s",
      firstFailAt: "2026-03-10T08:02:04.000Z",
      evidence: linkEvidence,
    },
  },
  "link.degraded": {
    when: "When a link's loss or delay crosses the `degraded` thresholds (it still carries traffic).",
    example: {
      link: "4g",
      interface: "wwan0",
      role: "backup",
      from: "up",
      reason: "loss 23% over 60 s (threshold 10%)",
      firstFailAt: "2026-03-10T09:12:40.000Z",
      evidence: { ...linkEvidence, interface: "wwan0", addresses: ["100.72.14.9/30"] },
    },
  },
  "link.up": {
    when:
      "When a down or degraded link recovers (not for the first `up` after the agent starts). `previous` " +
      "says what it recovered from and for how long.",
    example: {
      link: "mpls",
      interface: "eth0",
      role: "primary",
      from: "down",
      reason: "replies from the data centre again",
      firstFailAt: "2026-03-10T08:02:04.000Z",
      previous: {
        state: "down",
        reason: "no reply from the data centre (10.1.1.10) for 10 s",
        since: "2026-03-10T08:02:14.000Z",
        durationS: 1858.2,
      },
      evidence: { ...linkEvidence, targets: [{ name: "dc", address: "10.1.1.10", state: "up" }] },
    },
  },
  failover: {
    when:
      "When the kernel's route to the data centre moves to another link. `failback: true` when it moves back " +
      "to a primary.",
    example: {
      from: "mpls",
      to: "4g",
      fromRole: "primary",
      toRole: "backup",
      fromInterface: "eth0",
      toInterface: "wwan0",
      reason: "no reply from the data centre (10.1.1.10) for 10 s",
      firstFailAt: "2026-03-10T08:02:04.000Z",
      evidence: linkEvidence,
    },
  },
  "device.ready": {
    when:
      "When a fingerprint scanner becomes ready again (busy and ready count as one state, so captures send " +
      "no device events). Printers and the UPS have their own events.",
    example: { ...scanner, previous: "absent" },
  },
  "device.busy": {
    when: "When a fingerprint scanner that was faulted, absent or unavailable comes back in the middle of a capture.",
    example: { ...scanner, previous: "faulted" },
  },
  "device.faulted": {
    when: "When a fingerprint scanner is present but stops answering correctly.",
    example: { ...scanner, previous: "ready", reason: "no answer to handshake (3 tries)" },
  },
  "device.absent": {
    when: "When a fingerprint scanner is unplugged or its port disappears.",
    example: { ...scanner, previous: "ready", reason: "/dev/ttyUSB0 is gone" },
  },
  "device.unavailable": {
    when: "When a fingerprint scanner is there but cannot be opened (permissions, another program holds it).",
    example: { ...scanner, previous: "ready", reason: "permission denied opening /dev/ttyUSB0" },
  },
  "device.attached": {
    when:
      "When a serial, HID or printer device node appears (hot-plug), configured or not. `device` names the " +
      "configured device it matches.",
    example: hotplug,
  },
  "device.detached": {
    when: "When such a device node disappears.",
    example: hotplug,
  },
  "fingerprint.capture": {
    when: "After each successful capture. Metadata only: never the image, the template or whose finger it was.",
    example: { device: "scanner1", finger: "right-thumb", quality: 82, durationMs: 2140 },
  },
  "fingerprint.capture-failed": {
    when: "After a capture that failed, except when the scanner was busy with another capture.",
    example: { device: "scanner1", finger: "left-index", error: "no-finger", durationMs: 10012 },
  },
  "print.failed": {
    when: "When a slip could not be printed.",
    example: {
      device: "printer1",
      template: "arrest-receipt",
      reason: "paper-out",
      detail: "printer reports paper-out",
      bytesSent: 0,
    },
  },
  "printer.paper-out": {
    when: "When the printer reports it is out of paper.",
    example: { device: "printer1", reason: "paper-out", detail: "printer reports paper-out" },
  },
  "printer.cover-open": {
    when: "When the printer reports its cover open.",
    example: { device: "printer1", reason: "cover-open", detail: "printer reports cover-open" },
  },
  "printer.faulted": {
    when: "On any other printer fault, and when a printer that had been seen stops answering or disappears.",
    example: { device: "printer1", reason: "no-response", detail: "no status reply within 2000 ms" },
  },
  "printer.recovered": {
    when: "When a faulted or vanished printer is ready again.",
    example: { device: "printer1", after: "paper-out" },
  },
  "printer.paper-near-end": {
    when: "When the printer's paper-near-end sensor trips (a few slips are left).",
    example: { device: "printer1" },
  },
  "power.mains-lost": {
    when: "When the UPS reports mains gone: the station runs on battery.",
    example: { batteryPct: 98, runtimeS: 2520 },
  },
  "power.battery-low": {
    when: "When, on battery, the charge falls below `lowBatteryPct` or the UPS says the battery is low.",
    example: { batteryPct: 19, runtimeS: 420 },
  },
  "power.shutdown-imminent": {
    when: "When the UPS announces it will cut power soon.",
    example: { batteryPct: 6, runtimeS: 90 },
  },
  "power.mains-restored": {
    when: "When mains is back. `onBatteryS` is how long the station ran on battery.",
    example: { batteryPct: 64, runtimeS: 1620, onBatteryS: 1260 },
  },
  "booking.started": {
    when: "When an arrest booking starts. Never the person's name or the FIR number.",
    example: { booking: "bk-4f0c2a9e81d3b7c6a5e2", plan: "tenprint-flat", positions: 10 },
  },
  "booking.sealed": {
    when: "When a booking is sealed: the record is encrypted to the bureau and waits in the spool.",
    example: {
      booking: "bk-4f0c2a9e81d3b7c6a5e2",
      tcn: "UP0420042-20260310081502-4f0c2a9e",
      plan: "tenprint-flat",
      impressions: 9,
      annotated: 1,
      flagged: 1,
      quality: { min: 58, mean: 81, max: 94 },
      durationS: 412,
      bytes: 52471,
      sealMs: 950,
    },
  },
  "booking.forwarded": {
    when: "When the bureau (or, with forward: none, the CCTNS client) gave the receipt for a sealed record.",
    example: {
      booking: "bk-4f0c2a9e81d3b7c6a5e2",
      tcn: "UP0420042-20260310081502-4f0c2a9e",
      bytes: 52471,
      attempts: 2,
      status: 201,
      waitS: 64,
      uploadMs: 310,
    },
  },
  "booking.failed": {
    when: "When sealing failed, or forwarding failed (on the first failure of a record, then every tenth).",
    example: {
      booking: "bk-4f0c2a9e81d3b7c6a5e2",
      tcn: "UP0420042-20260310081502-4f0c2a9e",
      stage: "forward",
      attempts: 1,
      error: "bureau answered HTTP 503",
    },
  },
  "booking.abandoned": {
    when: "When an unsealed booking is deleted by staff or after `booking.abandonAfterHours` untouched.",
    example: { booking: "bk-4f0c2a9e81d3b7c6a5e2", plan: "tenprint-flat" },
  },
};
