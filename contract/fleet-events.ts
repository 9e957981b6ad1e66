import { z } from "zod";

/** Events of the station PC's own health and of NOC-driven config and update changes (issue 17). */

const text = (description: string) => z.string().max(500).meta({ description });

const HostCondition = z.object({
  condition: z
    .enum(["raised", "cleared"])
    .meta({ description: "raised when it starts, cleared when it ends" }),
  subject: text('what it is about: a mount point ("/"), a drive ("/dev/sda"), "clock" or "cpu"'),
  detail: text("in words, e.g. '/ is 96 % full'"),
  value: z
    .number()
    .nullable()
    .meta({ description: "the figure behind it: % full, bad sectors, clock offset in ms, or °C" }),
});

const ConfigApplied = z.object({
  id: text("the config-apply command's id"),
  version: text("the fragment's version as the NOC named it"),
  configHash: text("hash of the configuration now in force").optional(),
});

const ConfigRolledBack = ConfigApplied.extend({
  reason: text("why the fragment was undone, e.g. no MQTT session within 120 s"),
});

const UpdateOutcome = z.object({
  id: text("the update command's id"),
  package: text("Debian package name"),
  from: text("version before the update"),
  to: text("version asked for"),
  reason: text("what the upgrade runner saw"),
});

export const FLEET_EVENTS = {
  "host.disk-low": HostCondition,
  "host.disk-failing": HostCondition,
  "host.clock-unsynced": HostCondition,
  "host.overheating": HostCondition,
  "config.applied": ConfigApplied,
  "config.rolled-back": ConfigRolledBack,
  "update.applied": UpdateOutcome,
  "update.rolled-back": UpdateOutcome,
  "update.failed": UpdateOutcome,
} as const;
