/** Routing: which contacts hear of an alert, as outbox rows (written with the alert, sent later). */
import { randomUUID } from "node:crypto";
import type { AlertRow, AlertWrite, NotificationPayload, OutboxRow } from "./model.js";
import { SEVERITY_ORDER, type AlertsConfig, type Contact } from "./rules.js";

export class Notices {
  constructor(private readonly config: () => AlertsConfig) {}

  /**
   * The contacts of escalation step `level` (every contact when no escalation is configured) that take
   * this alert: its severity at least theirs, and its district among theirs when they have a list.
   */
  contactsFor(a: AlertRow, level: number): Contact[] {
    const c = this.config();
    const names = c.escalation.length ? new Set(c.escalation[level]?.contacts ?? []) : undefined;
    return c.contacts.filter(
      (k) =>
        (!names || names.has(k.name)) &&
        SEVERITY_ORDER[a.severity] >= SEVERITY_ORDER[k.minSeverity] &&
        (!k.districts || (a.district !== undefined && k.districts.includes(a.district))),
    );
  }

  /** Adds one outbox row per distinct (channel, recipient); returns how many. */
  enqueue(a: AlertRow, now: number, reason: string, level: number, w: AlertWrite): number {
    const seen = new Set<string>();
    for (const contact of this.contactsFor(a, level))
      for (const t of contact.targets) {
        const who = `${t.channel} ${t.to ?? ""}`.trim();
        if (seen.has(who)) continue;
        seen.add(who);
        w.outbox.push(this.row(a, now, reason, t.channel, t.to ?? "", contact.language));
      }
    a.notified = [...new Set([...(a.notified ?? []), ...seen])];
    return seen.size;
  }

  /** The resolve notice, to everyone who was told of the alert. */
  resolved(a: AlertRow, now: number, w: AlertWrite): void {
    for (const who of a.notified ?? []) {
      const [channel, ...to] = who.split(" ");
      if (channel && this.config().channels[channel])
        w.outbox.push(
          this.row(a, now, "resolve", channel, to.join(" "), this.languageOf(channel, to.join(" "))),
        );
    }
  }

  /** The language of the contact that has this recipient now (a resolve notice keeps no contact). */
  private languageOf(channel: string, to: string): "en" | "hi" {
    const c = this.config().contacts.find((k) =>
      k.targets.some((t) => t.channel === channel && (t.to ?? "") === to),
    );
    return c?.language ?? "en";
  }

  private row(
    a: AlertRow,
    now: number,
    reason: string,
    channel: string,
    recipient: string,
    language: "en" | "hi",
  ): OutboxRow {
    const id = randomUUID();
    const base = this.config().dashboardUrl;
    const payload: NotificationPayload = {
      alertId: a.id,
      deliveryId: id,
      reason,
      rule: a.rule,
      severity: a.severity,
      state: reason === "resolve" ? "resolved" : a.state,
      title: a.title,
      station: a.station,
      district: a.district,
      stations: a.stations,
      startedAt: new Date(a.startedAt).toISOString(),
      kind: a.kind,
      language,
      link: base
        ? a.station
          ? new URL(`#/station/${encodeURIComponent(a.station)}`, base).href
          : new URL("#/alerts", base).href
        : undefined,
    };
    return {
      id,
      alertId: a.id,
      channel,
      recipient,
      reason,
      payload,
      state: "pending",
      attempts: 0,
      nextAt: now,
      createdAt: now,
    };
  }
}
