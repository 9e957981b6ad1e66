/**
 * `GET /metrics` in the Prometheus text format (prom-client). Per station a fixed handful of series
 * (about 8 x 20,000), per district a few, the collector's counters and lags, and the alerts firing.
 * Values are read from the fleet at scrape time: nothing is kept between scrapes but the registry.
 */
import { Counter, Gauge, Registry } from "prom-client";
import type { AlertEngine } from "../alerts/engine.js";
import type { Fleet } from "../fleet.js";
import type { CollectorStats } from "../stats.js";

const S = ["station", "district"] as const;

export interface MetricsDeps {
  fleet: Fleet;
  stats: CollectorStats;
  alerts?: AlertEngine;
  brokerConnected: () => boolean;
  /** Availability today (percent) per district, from the last rollup. */
  districtAvailability?: () => Map<string, number>;
  now: () => number;
}

export function createMetrics(d: MetricsDeps): Registry {
  const reg = new Registry();
  const g = (name: string, help: string, labelNames: readonly string[] = S) =>
    new Gauge({ name, help, labelNames, registers: [reg] });
  // Registered first, so its collect (which fills every gauge) runs before any is read.
  const up = new Gauge({
    name: "noc_station_up",
    help: "1 when the station is up, 0 when dark (down or unknown)",
    labelNames: S,
    registers: [reg],
    collect: () => fill(),
  });
  const unknown = g("noc_station_unknown", "1 when the station is silent or never heard (no Last Will)");
  const backup = g("noc_station_on_backup", "1 when the active link is the backup link");
  const battery = g("noc_station_on_battery", "1 when the station runs on its UPS battery");
  const faulted = g("noc_station_faulted_devices", "devices reporting faulted");
  const age = g("noc_station_last_seen_age_seconds", "seconds since the NOC last heard the station");
  const gaps = g("noc_station_open_gaps", "sequence gaps still open (events awaiting resend)");
  const link = g("noc_station_active_link_info", "1 for the station's active link", [
    "station",
    "district",
    "link",
    "role",
  ]);
  const dUp = g("noc_district_up_stations", "stations up per district", ["district"]);
  const dAll = g("noc_district_stations", "stations per district", ["district"]);
  const dAvail = g(
    "noc_district_availability_today_ratio",
    "up time share today (0-1), planned down time left out, last rollup",
    ["district"],
  );
  const firing = g("noc_alerts_firing", "open alerts by severity and state", ["severity", "state"]);
  const evalMs = new Gauge({
    name: "noc_alert_evaluation_seconds",
    help: "last alert evaluation time",
    registers: [reg],
  });
  const mqtt = new Gauge({
    name: "noc_mqtt_connected",
    help: "1 when the collector is connected to the broker",
    registers: [reg],
  });
  const counters = new Gauge({
    name: "noc_collector_messages_total",
    help: "messages by outcome since start",
    labelNames: ["outcome"],
    registers: [reg],
  });
  const lag = new Gauge({
    name: "noc_collector_lag_seconds",
    help: "lag percentiles: ingest (event time to NOC) and commit (NOC to storage)",
    labelNames: ["lag", "quantile"],
    registers: [reg],
  });
  const flushErrors = new Counter({
    name: "noc_storage_flush_errors_total",
    help: "failed storage flushes",
    registers: [reg],
  });
  let seenFlushErrors = 0;

  // One collect fills every gauge at scrape time; reset first so removed stations drop out.
  const fill = () => {
    const now = d.now();
    for (const m of [up, unknown, backup, battery, faulted, age, gaps, link, dUp, dAll, dAvail, firing])
      m.reset();
    const districts = new Map<string, { up: number; all: number }>();
    for (const { row, seq } of d.fleet.stations.values()) {
      const l = { station: row.id, district: row.district ?? "" };
      const isUp = row.status === "up" ? 1 : 0;
      up.set(l, isUp);
      unknown.set(l, row.status === "unknown" ? 1 : 0);
      const active = Object.values(row.info.links).find((x) => x.active);
      backup.set(l, active?.role === "backup" ? 1 : 0);
      if (active) link.set({ ...l, link: active.link, role: active.role }, 1);
      battery.set(l, row.info.power?.source === "battery" ? 1 : 0);
      faulted.set(l, Object.values(row.info.devices).filter((x) => x.health === "faulted").length);
      if (row.lastSeen !== undefined) age.set(l, Math.max(0, (now - row.lastSeen) / 1000));
      gaps.set(l, seq.openGaps().length);
      const dist = districts.get(l.district) ?? { up: 0, all: 0 };
      dist.up += isUp;
      dist.all++;
      districts.set(l.district, dist);
    }
    for (const [district, v] of districts) {
      dUp.set({ district }, v.up);
      dAll.set({ district }, v.all);
    }
    for (const [district, pct] of d.districtAvailability?.() ?? []) dAvail.set({ district }, pct / 100);
    for (const a of d.alerts?.open.values() ?? [])
      firing.inc({ severity: a.severity, state: a.suppressed ? "suppressed" : a.state });
    evalMs.set((d.alerts?.lastTickMs ?? 0) / 1000);
    mqtt.set(d.brokerConnected() ? 1 : 0);
    const s = d.stats;
    counters.reset();
    for (const [outcome, n] of Object.entries({
      received: s.received,
      accepted: s.accepted,
      duplicate: s.duplicates,
      invalid: s.invalid,
      ignored: s.ignored,
    }))
      counters.set({ outcome }, n);
    lag.reset();
    for (const [name, h] of [
      ["ingest", s.ingestLag],
      ["commit", s.commitLag],
    ] as const)
      for (const q of [0.5, 0.99]) {
        const v = h.percentile(q * 100);
        if (v !== null) lag.set({ lag: name, quantile: String(q) }, v / 1000);
      }
    if (s.flushErrors > seenFlushErrors) flushErrors.inc(s.flushErrors - seenFlushErrors);
    seenFlushErrors = s.flushErrors;
  };
  return reg;
}
