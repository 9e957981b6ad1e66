/** Events as sentences (issue 19, items 10 and 14): every known type has one; unknown types fall back. */
import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../contract/events.js";
import { eventSentence } from "../../contract/event-words.js";
import { eventView } from "../../noc/views.js";

const at = (iso: string) => `<${iso}>`;

describe("eventSentence", () => {
  it("has a sentence for every event type in the contract", () => {
    const missing = EVENT_TYPES.filter((t) => eventSentence(t, {}, at) === undefined);
    expect(missing).toEqual([]);
  });

  it("says an outage's cause and times, through the reader's clock", () => {
    expect(
      eventSentence(
        "outage",
        {
          start: "2026-12-04T06:00:00Z",
          end: "2026-12-04T06:12:00Z",
          durationS: 720,
          cause: "power",
          evidence: {},
        },
        at,
      ),
    ).toBe(
      "Dark from <2026-12-04T06:00:00Z> to <2026-12-04T06:12:00Z> (12 min): power cut (the PC was off).",
    );
    expect(
      eventSentence(
        "failover",
        {
          from: "bsnl",
          to: "jio",
          fromRole: "primary",
          toRole: "backup",
          reason: "no carrier",
          evidence: {},
        },
        at,
      ),
    ).toBe("Traffic moved from bsnl to the backup link jio: no carrier.");
  });

  it("gives undefined for an unknown type, so the raw data is shown", () => {
    expect(eventSentence("something.new", { a: 1 }, at)).toBeUndefined();
  });

  it("the NOC's event view carries the sentence with RFC 3339 times for the browser to localise", () => {
    const v = eventView({
      station: "PS-1",
      seq: 3,
      time: Date.parse("2026-12-04T06:12:00Z"),
      receivedAt: Date.parse("2026-12-04T06:12:01Z"),
      type: "power.mains-restored",
      data: { batteryPct: 80, runtimeS: 1200, onBatteryS: 300 },
      historical: false,
    });
    expect(v.text).toBe("Mains power is back after 5 min on battery.");
    expect(eventView({ ...v, time: 0, receivedAt: 0, type: "x.y", data: {} }).text).toBeNull();
  });
});
