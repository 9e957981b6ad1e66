/**
 * Alert titles as stable codes with parameters (issue 18). The engine's English `title` stays as it
 * always was (notices and logs carry it); `titleCode` and `titleParams` sit next to it so that the
 * dashboard words the title in its reader's language (noc/public/i18n, `alertTitle.*`). Station labels,
 * link and device names go in as they are; a dark station's cause detail goes in as its own coded text.
 */
import type { CodedParam } from "../model.js";

export const ALERT_TITLE_CODES = [
  "station-dark",
  "station-silent",
  "on-backup",
  "device-faulted",
  "on-battery",
  "availability-below.station",
  "availability-below.district",
  "sequence-loss",
  "flapping",
  "power-incident.pop",
  "power-incident.district",
  "network-incident.pop",
  "network-incident.district",
  "noc-self.broker-disconnected",
  "noc-self.storage-errors",
  "noc-self.collector-lag",
] as const;

export type AlertTitleCode = (typeof ALERT_TITLE_CODES)[number];

/** What a condition or candidate carries besides its English title. */
export interface CodedTitle {
  titleCode: AlertTitleCode;
  titleParams: Record<string, CodedParam>;
}
