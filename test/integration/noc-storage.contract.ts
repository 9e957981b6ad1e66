/** The storage contract: every Storage implementation must pass these (SQLite and PostgreSQL files call it). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DailyRow, GapRow, StationRow } from "../../noc/model.js";
import { emptyBatch, type Storage, type WriteBatch } from "../../noc/storage/index.js";
import type { AlertRow, MaintenanceRow, OutboxRow } from "../../noc/alerts/model.js";

const T0 = Date.parse("2025-03-01T00:00:00Z");
const MIN = 60_000;

function station(id: string, over: Partial<StationRow> = {}): StationRow {
  return {
    id,
    name: `Station ${id}`,
    district: "Pune",
    registered: false,
    firstSeen: T0,
    lastSeen: T0 + MIN,
    status: "up",
    statusSince: T0,
    lastSeq: 10,
    info: { links: {}, devices: {}, agentVersion: "1.0.0" },
    ...over,
  };
}

function batch(over: Partial<WriteBatch>): WriteBatch {
  return { ...emptyBatch(), ...over };
}

function gap(over: Partial<GapRow> = {}): GapRow {
  return {
    station: "A",
    fromSeq: 11,
    toSeq: 20,
    status: "open",
    detectedAt: T0,
    remaining: [{ fromSeq: 11, toSeq: 20 }],
    lost: 0,
    requests: 0,
    ...over,
  };
}

function daily(stationId: string, day: string, upS: number, plannedS = 0): DailyRow {
  return {
    station: stationId,
    day,
    district: "Pune",
    windowS: 86_400,
    upS,
    unknownS: 0,
    backupS: 10,
    down: { power: 86_400 - upS, network: 0, agent: 0, unattributed: 0 },
    plannedS,
    networkLinks: {},
  };
}

export function storageContract(
  name: string,
  make: () => Promise<Storage>,
  dispose: (s: Storage) => Promise<void>,
): void {
  describe(`storage contract: ${name}`, () => {
    let s: Storage;
    beforeAll(async () => {
      s = await make();
      await s.init();
      await s.init(); // idempotent
    });
    afterAll(async () => {
      if (s) await dispose(s);
    });

    it("upserts stations and loads them back unchanged", async () => {
      const a = station("A", { info: { links: {}, devices: {}, bootId: "b1", offlineCause: "shutdown" } });
      await s.write(
        batch({ stations: [a, station("B", { registered: true, name: undefined, lastSeq: undefined })] }),
      );
      await s.write(
        batch({
          stations: [{ ...a, status: "down", cause: "power", causeDetail: "on battery", lastSeq: 12 }],
        }),
      );
      const rows = await s.loadStations();
      expect(rows.map((r) => r.id)).toEqual(["A", "B"]);
      expect(rows[0]).toEqual({
        ...a,
        status: "down",
        cause: "power",
        causeDetail: "on battery",
        lastSeq: 12,
      });
      expect(rows[1]).toEqual(station("B", { registered: true, name: undefined, lastSeq: undefined }));
    });

    it("updates only liveness (last seen, last seq) of existing stations", async () => {
      await s.write(
        batch({
          liveness: [
            { id: "A", lastSeen: T0 + 5 * MIN, lastSeq: 40 },
            { id: "B", lastSeen: T0 + 6 * MIN },
            { id: "nobody", lastSeen: 1 },
          ],
        }),
      );
      const rows = await s.loadStations();
      expect(rows.map((r) => [r.id, r.lastSeen, r.lastSeq, r.status])).toEqual([
        ["A", T0 + 5 * MIN, 40, "down"],
        ["B", T0 + 6 * MIN, undefined, "up"],
      ]);
      expect(rows[0]?.info.bootId).toBe("b1");
      const seen = await s.liveness(["A", "B", "nobody"]);
      expect([...seen.values()].sort((x, y) => (x.id < y.id ? -1 : 1))).toEqual([
        { id: "A", lastSeen: T0 + 5 * MIN, lastSeq: 40 },
        { id: "B", lastSeen: T0 + 6 * MIN },
      ]);
    });

    it("stores events idempotently by (station, seq), newest first", async () => {
      const ev = (seq: number, type = "link.down") => ({
        station: "A",
        seq,
        time: T0 + seq,
        receivedAt: T0 + seq + 5,
        type,
        data: { link: "mpls", seq },
        historical: seq === 2,
      });
      await s.write(batch({ events: [ev(1), ev(2), ev(3)] }));
      await s.write(batch({ events: [ev(2), ev(4, "link.up")] }));
      const events = await s.recentEvents("A", 3);
      expect(events.map((e) => e.seq)).toEqual([4, 3, 2]);
      expect(events[2]).toEqual(ev(2));
      expect(await s.recentEvents("nobody", 10)).toEqual([]);
    });

    it("returns status history in a window with the change before it", async () => {
      await s.write(
        batch({
          statusChanges: [
            { station: "A", at: T0, status: "up" },
            { station: "A", at: T0 + 10 * MIN, status: "down", cause: "power", reason: "will" },
            { station: "A", at: T0 + 20 * MIN, status: "up" },
            { station: "B", at: T0 + 5 * MIN, status: "unknown", cause: "silent" },
          ],
        }),
      );
      const h = await s.statusHistory("A", { from: T0 + 15 * MIN, to: T0 + 60 * MIN });
      expect(h).toEqual([
        { station: "A", at: T0 + 10 * MIN, status: "down", cause: "power", reason: "will" },
        { station: "A", at: T0 + 20 * MIN, status: "up" },
      ]);
      expect(await s.statusHistory("A", { from: T0 - MIN, to: T0 })).toEqual([]);
    });

    it("returns link history with each link's state before the window", async () => {
      await s.write(
        batch({
          linkChanges: [
            { station: "A", link: "mpls", at: T0, state: "up", active: true, role: "primary" },
            { station: "A", link: "4g", at: T0 + MIN, state: "up", active: false, role: "backup" },
            { station: "A", link: "mpls", at: T0 + 30 * MIN, state: "down", active: false, role: "primary" },
            { station: "A", link: "4g", at: T0 + 30 * MIN, state: "up", active: true, role: "backup" },
          ],
        }),
      );
      const h = await s.linkHistory("A", { from: T0 + 10 * MIN, to: T0 + 40 * MIN });
      expect(h.map((l) => `${l.link}@${(l.at - T0) / MIN}:${l.state}/${l.active}`)).toEqual([
        "mpls@0:up/true",
        "4g@1:up/false",
        "mpls@30:down/false",
        "4g@30:up/true",
      ]);
    });

    it("stores device and power transitions", async () => {
      await s.write(
        batch({
          deviceChanges: [
            {
              station: "A",
              device: "fp1",
              kind: "fingerprint",
              at: T0 + MIN,
              health: "faulted",
              reason: "no reply",
            },
          ],
          powerChanges: [{ station: "A", at: T0 + 2 * MIN, source: "battery", state: "on-battery" }],
        }),
      );
      expect(await s.deviceHistory("A", { from: T0, to: T0 + 60 * MIN })).toEqual([
        {
          station: "A",
          device: "fp1",
          kind: "fingerprint",
          at: T0 + MIN,
          health: "faulted",
          reason: "no reply",
        },
      ]);
      expect(await s.powerHistory("A", { from: T0, to: T0 + 60 * MIN })).toEqual([
        { station: "A", at: T0 + 2 * MIN, source: "battery", state: "on-battery" },
      ]);
    });

    it("stores outage records by (station, start) and finds those overlapping a range", async () => {
      const o = {
        station: "A",
        start: T0 + 10 * MIN,
        end: T0 + 20 * MIN,
        cause: "power" as const,
        seq: 7,
        evidence: { bootId: "b2" },
      };
      await s.write(
        batch({ outages: [o, { ...o, station: "B", cause: "network", link: "mpls", seq: undefined }] }),
      );
      await s.write(batch({ outages: [{ ...o, end: T0 + 25 * MIN }] }));
      expect(await s.outages("A", { from: T0 + 24 * MIN, to: T0 + 30 * MIN })).toEqual([
        { ...o, end: T0 + 25 * MIN },
      ]);
      expect(await s.outages("A", { from: T0 + 25 * MIN, to: T0 + 30 * MIN })).toEqual([]);
      const bundle = await s.historyForRange({ from: T0 + 15 * MIN, to: T0 + 16 * MIN });
      expect(bundle.get("B")?.outages[0]).toMatchObject({ cause: "network", link: "mpls" });
      expect(bundle.get("A")?.status.map((c) => c.status)).toEqual(["down"]);
      expect(
        bundle
          .get("A")
          ?.links.map((l) => l.link)
          .sort(),
      ).toEqual(["4g", "mpls"]);
      expect(bundle.get("B")?.status.map((c) => c.status)).toEqual(["unknown"]);
    });

    it("upserts gaps and loads the open ones", async () => {
      await s.write(
        batch({
          gaps: [gap(), gap({ station: "B", fromSeq: 5, toSeq: 5, remaining: [{ fromSeq: 5, toSeq: 5 }] })],
        }),
      );
      const filled = gap({ remaining: [{ fromSeq: 15, toSeq: 20 }], requests: 1, lastRequestAt: T0 + MIN });
      await s.write(
        batch({
          gaps: [
            filled,
            gap({
              station: "B",
              fromSeq: 5,
              toSeq: 5,
              status: "permanent",
              remaining: [],
              lost: 1,
              closedAt: T0 + 2 * MIN,
            }),
          ],
        }),
      );
      expect(await s.loadOpenGaps()).toEqual([filled]);
      expect((await s.gaps("B", 10))[0]).toMatchObject({
        status: "permanent",
        lost: 1,
        closedAt: T0 + 2 * MIN,
      });
    });

    it("upserts daily availability and reads a range of days", async () => {
      await s.upsertDaily([
        daily("A", "2025-03-01", 80_000),
        daily("A", "2025-03-02", 86_400),
        daily("B", "2025-03-01", 1000),
      ]);
      await s.upsertDaily([{ ...daily("A", "2025-03-01", 70_000, 2_500.25), networkLinks: { mpls: 60 } }]);
      const rows = await s.daily("2025-03-01", "2025-03-31");
      expect(rows.map((r) => `${r.station}/${r.day}/${r.upS}`)).toEqual([
        "A/2025-03-01/70000",
        "A/2025-03-02/86400",
        "B/2025-03-01/1000",
      ]);
      // Planned down time (maintenance windows) is kept apart, to the fraction of a second.
      expect(rows[0]).toEqual({ ...daily("A", "2025-03-01", 70_000, 2_500.25), networkLinks: { mpls: 60 } });
      expect((await s.daily("2025-03-02", "2025-03-02", "A")).length).toBe(1);
      expect(await s.daily("2025-04-01", "2025-04-30")).toEqual([]);
    });

    it("sums a period per station with the latest district and per-link minutes", async () => {
      await s.upsertDaily([
        { ...daily("C", "2025-05-01", 80_000, 1_000), networkLinks: { mpls: 100 } },
        {
          ...daily("C", "2025-05-02", 86_000, 0.5),
          district: "Satara",
          networkLinks: { mpls: 20, "4g": 5 },
        },
        daily("D", "2025-05-02", 40_000),
        daily("C", "2025-06-01", 1),
      ]);
      const rows = await s.periodTotals("2025-05-01", "2025-05-31");
      expect(rows).toEqual([
        {
          station: "C",
          day: "2025-05-01..2025-05-31",
          district: "Satara",
          windowS: 2 * 86_400,
          upS: 166_000,
          unknownS: 0,
          backupS: 20,
          down: { power: 6_400 + 400, network: 0, agent: 0, unattributed: 0 },
          plannedS: 1_000.5,
          networkLinks: { mpls: 120, "4g": 5 },
        },
        { ...daily("D", "2025-05-02", 40_000), day: "2025-05-01..2025-05-31" },
      ]);
    });

    it("keeps meta values", async () => {
      expect(await s.getMeta("heartbeat")).toBeUndefined();
      await s.setMeta("heartbeat", "1");
      await s.setMeta("heartbeat", "2");
      expect(await s.getMeta("heartbeat")).toBe("2");
    });

    it("writes a large batch in one go", async () => {
      const many = Array.from({ length: 5000 }, (_, i) => station(`S${String(i).padStart(5, "0")}`));
      const events = many.map((st, i) => ({
        station: st.id,
        seq: 1,
        time: T0 + i,
        receivedAt: T0 + i,
        type: "x",
        data: {},
        historical: false,
      }));
      // The same station twice in one batch: the last one wins.
      await s.write(batch({ stations: [...many, { ...many[0], lastSeq: 99 } as StationRow], events }));
      const rows = await s.loadStations();
      expect(rows.length).toBe(5002);
      expect(rows.find((r) => r.id === "S00000")?.lastSeq).toBe(99);
      expect(await s.sizeBytes()).toBeGreaterThan(0);
    });

    it("prunes old history but keeps the state at the cutoff", async () => {
      const removed = await s.prune(T0 + 15 * MIN);
      expect(removed).toBeGreaterThan(0);
      // A's change at T0 goes; its down at +10 is the state at the cutoff and stays.
      expect(
        (await s.statusHistory("A", { from: T0 + 15 * MIN, to: T0 + 16 * MIN })).map((c) => c.at - T0),
      ).toEqual([10 * MIN]);
      expect((await s.linkHistory("A", { from: T0 + 15 * MIN, to: T0 + 16 * MIN })).length).toBe(2);
      expect((await s.recentEvents("A", 10)).length).toBe(0);
      expect((await s.daily("2025-03-01", "2025-03-01")).length).toBe(2);
      expect((await s.outages("A", { from: T0, to: T0 + 60 * MIN })).length).toBe(1);
    });

    it("keeps alerts, their history, the outbox and maintenance windows", async () => {
      const alert: AlertRow = {
        id: "al-1",
        key: "dark:A",
        rule: "dark",
        kind: "station-dark",
        severity: "critical",
        state: "firing",
        station: "A",
        district: "Pune",
        title: "A dark",
        startedAt: T0,
        firedAt: T0 + MIN,
        updatedAt: T0 + MIN,
        level: 0,
        notified: ["mail it@example.in"],
      };
      const row: OutboxRow = {
        id: "ob-1",
        alertId: "al-1",
        channel: "mail",
        recipient: "it@example.in",
        reason: "fire",
        payload: {
          alertId: "al-1",
          deliveryId: "ob-1",
          reason: "fire",
          rule: "dark",
          severity: "critical",
          state: "firing",
          title: "A dark",
          startedAt: new Date(T0).toISOString(),
        },
        state: "pending",
        attempts: 0,
        nextAt: T0 + MIN,
        createdAt: T0 + MIN,
      };
      const window: MaintenanceRow = {
        id: "mw-1",
        scope: "district",
        target: "Pune",
        startAt: T0,
        endAt: T0 + 60 * MIN,
        reason: "UPS swap",
        createdBy: "asha",
        createdAt: T0,
      };
      await s.writeAlerts({
        alerts: [alert],
        events: [{ alertId: "al-1", at: T0 + MIN, actor: "station-noc", action: "fired" }],
        outbox: [row],
        maintenance: [window],
      });
      expect(await s.loadAlerts(T0, 10)).toEqual([alert]);
      expect(await s.dueOutbox(T0, 10)).toEqual([]);
      expect(await s.dueOutbox(T0 + MIN, 10)).toEqual([row]);
      expect(await s.loadMaintenance(T0 + 30 * MIN)).toEqual([window]);
      // Sent, acknowledged, resolved: upserts by id; the history appends.
      await s.writeAlerts({
        alerts: [{ ...alert, state: "resolved", resolvedAt: T0 + 5 * MIN, updatedAt: T0 + 5 * MIN }],
        events: [
          { alertId: "al-1", at: T0 + 2 * MIN, actor: "ravi", action: "acknowledged", detail: "on it" },
        ],
        outbox: [{ ...row, state: "sent", sentAt: T0 + 2 * MIN }],
        maintenance: [{ ...window, endedAt: T0 + 10 * MIN, endedBy: "asha" }],
      });
      expect(await s.dueOutbox(T0 + 10 * MIN, 10)).toEqual([]);
      expect(await s.loadAlerts(T0 + 6 * MIN, 10)).toEqual([]);
      expect((await s.loadAlerts(T0 + 5 * MIN, 10))[0]?.state).toBe("resolved");
      expect((await s.alertEvents("al-1")).map((e) => [e.actor, e.action, e.detail])).toEqual([
        ["station-noc", "fired", undefined],
        ["ravi", "acknowledged", "on it"],
      ]);
      expect(await s.loadMaintenance(T0 + 11 * MIN)).toEqual([]);
      expect((await s.loadMaintenance(T0 + 9 * MIN))[0]?.endedBy).toBe("asha");
    });
  });
}
