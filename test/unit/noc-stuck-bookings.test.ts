import { describe, expect, it } from "vitest";
import { MetricsPayload } from "../../contract/index.js";
import type { Fleet } from "../../noc/fleet.js";
import type { StationRow } from "../../noc/model.js";
import { validateMessage } from "../../noc/validate.js";
import { listItem, STUCK_BOOKING_S, summary } from "../../noc/views.js";
import * as P from "../../scripts/sim/payloads.js";

const NOW = Date.parse("2026-12-04T10:00:00Z");

function row(id: string, oldestUnsentAgeS: number | null, depth: number): StationRow {
  const m = P.metrics(id, 1, NOW, NOW - 3_600_000, []);
  const metrics = MetricsPayload.parse({
    ...m,
    bookings: { spoolDepth: depth, spoolBytes: depth * 90_000, oldestUnsentAgeS, openSessions: 0 },
  });
  return {
    id,
    district: "Lucknow",
    registered: false,
    status: "up",
    statusSince: NOW,
    info: { links: {}, devices: {}, metrics },
  };
}

describe("NOC: stuck arrest bookings", () => {
  it("accepts the agent's bookings metrics section", () => {
    const m = {
      ...P.metrics("PS1", 1, NOW, NOW, []),
      bookings: { spoolDepth: 2, spoolBytes: 1, oldestUnsentAgeS: 7200, openSessions: 1 },
    };
    const r = validateMessage("cctns/unit", "cctns/unit/PS1/metrics", Buffer.from(JSON.stringify(m)));
    expect(r).toMatchObject({ ok: true });
  });

  it("marks a station whose oldest sealed booking waited an hour, and counts it in the summary", () => {
    const stations = new Map<string, { row: StationRow; seq: { gaps: unknown[] } }>([
      ["PS1", { row: row("PS1", STUCK_BOOKING_S + 60, 3), seq: { gaps: [] } }],
      ["PS2", { row: row("PS2", 120, 1), seq: { gaps: [] } }],
      ["PS3", { row: row("PS3", null, 0), seq: { gaps: [] } }],
    ]);
    const fleet = { stations } as unknown as Fleet;
    expect(listItem(fleet, stations.get("PS1")!.row)).toMatchObject({
      bookingsWaiting: 3,
      bookingsStuckS: 3660,
    });
    expect(listItem(fleet, stations.get("PS2")!.row)).toMatchObject({ bookingsWaiting: 1 });
    expect(listItem(fleet, stations.get("PS2")!.row).bookingsStuckS).toBeUndefined();
    expect(summary(fleet)).toMatchObject({
      stuckBookings: 1,
      districts: [{ district: "Lucknow", stuckBookings: 1 }],
    });
  });
});
