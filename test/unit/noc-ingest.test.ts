import { describe, expect, it } from "vitest";
import { guessCause } from "../../noc/probable-cause.js";
import { parseCsv } from "../../noc/registry.js";
import { removeRange, RESET_STREAK, SeqTracker } from "../../noc/seq-tracker.js";
import { validateMessage } from "../../noc/validate.js";
import * as P from "../../scripts/sim/payloads.js";

const ROOT = "cctns/unit";
const NOW = Date.parse("2025-03-10T10:00:00Z");

describe("seq tracker", () => {
  it("accepts in order, drops duplicates, and opens no gap before the first seq", () => {
    const t = new SeqTracker("A", undefined);
    expect(t.observe(500, NOW)).toEqual({ accept: true, filled: [] });
    expect(t.observe(501, NOW)).toEqual({ accept: true, filled: [] });
    expect(t.observe(501, NOW)).toEqual({ accept: false, duplicate: true });
    expect(t.observe(3, NOW)).toEqual({ accept: false, duplicate: true });
    expect(t.gaps).toEqual([]);
  });

  it("opens a gap on a jump, fills it piecewise and closes it", () => {
    const t = new SeqTracker("A", 10);
    const v = t.observe(16, NOW);
    expect(v.accept && v.newGap).toMatchObject({
      fromSeq: 11,
      toSeq: 15,
      status: "open",
      remaining: [{ fromSeq: 11, toSeq: 15 }],
    });
    expect(t.observe(13, NOW + 1)).toMatchObject({ accept: true });
    expect(t.gaps[0]?.remaining).toEqual([
      { fromSeq: 11, toSeq: 12 },
      { fromSeq: 14, toSeq: 15 },
    ]);
    expect(t.observe(13, NOW + 2)).toEqual({ accept: false, duplicate: true });
    for (const s of [11, 12, 14]) t.observe(s, NOW + 3);
    const last = t.observe(15, NOW + 4);
    expect(last.accept && last.filled[0]).toMatchObject({
      status: "closed",
      closedAt: NOW + 4,
      lost: 0,
      remaining: [],
    });
    expect(t.gaps).toEqual([]);
  });

  it("marks what the station no longer has as permanent loss", () => {
    const t = new SeqTracker("A", 1);
    t.observe(10, NOW);
    t.observe(5, NOW); // gap 2-9, 5 arrived; the station lost 1-6: 2, 3, 4 and 6 are gone
    const changed = t.markGone([{ fromSeq: 1, toSeq: 6 }], NOW + 9);
    expect(changed[0]).toMatchObject({ remaining: [{ fromSeq: 7, toSeq: 9 }], lost: 4, status: "open" });
    for (const s of [7, 8]) t.observe(s, NOW + 10);
    const v = t.observe(9, NOW + 11);
    expect(v.accept && v.filled[0]).toMatchObject({ status: "permanent", lost: 4, closedAt: NOW + 11 });
  });

  it("treats a long run of consecutive duplicates as a station whose numbering restarted", () => {
    const t = new SeqTracker("A", 9000);
    t.observe(9005, NOW); // gap 9001-9004
    let v;
    for (let s = 1; s <= RESET_STREAK; s++) v = t.observe(s, NOW);
    expect(v).toMatchObject({ accept: true, reset: true });
    expect(t.highest).toBe(RESET_STREAK);
    expect(t.gaps).toEqual([]);
    expect(t.observe(RESET_STREAK + 1, NOW)).toEqual({ accept: true, filled: [] });
  });

  it("goes loose when the stream is split: open gaps settle and everything is accepted", () => {
    const t = new SeqTracker("A", 1);
    t.observe(3, NOW);
    expect(t.goLoose(NOW + 1)).toMatchObject([{ fromSeq: 2, toSeq: 2, status: "closed", remaining: [] }]);
    expect(t.observe(7, NOW)).toEqual({ accept: true, filled: [] });
    expect(t.observe(5, NOW)).toEqual({ accept: true, filled: [] });
    expect(t.highest).toBe(7);
    expect(t.gaps).toEqual([]);
  });

  it("removes ranges from a range list", () => {
    const r = [
      { fromSeq: 1, toSeq: 10 },
      { fromSeq: 20, toSeq: 30 },
    ];
    expect(removeRange(r, { fromSeq: 5, toSeq: 25 })).toBe(12);
    expect(r).toEqual([
      { fromSeq: 1, toSeq: 4 },
      { fromSeq: 26, toSeq: 30 },
    ]);
  });
});

describe("message validation against the contract", () => {
  const buf = (o: unknown) => Buffer.from(JSON.stringify(o));
  const link: P.SimLink = {
    name: "mpls",
    role: "primary",
    state: "up",
    active: true,
    since: new Date(NOW).toISOString(),
  };

  it("accepts what a station sends", () => {
    const id = {
      id: "PS1",
      name: "x",
      district: "Pune",
      bootId: "b",
      bootTime: "2025-03-10T09:00:00Z",
      startedAt: "2025-03-10T09:00:00Z",
    };
    const ok = (topic: string, body: unknown) => validateMessage(ROOT, `${ROOT}/PS1/${topic}`, buf(body));
    expect(ok("state", P.birth(id, [link], [], NOW))).toMatchObject({
      ok: true,
      message: { kind: "state", station: "PS1" },
    });
    expect(ok("state", P.will("PS1"))).toMatchObject({ ok: true, message: { kind: "state" } });
    expect(ok("link/mpls", P.linkState("PS1", link, NOW))).toMatchObject({
      ok: true,
      message: { kind: "link", name: "mpls" },
    });
    expect(ok("metrics", P.metrics("PS1", 1, NOW, NOW, [link]))).toMatchObject({
      ok: true,
      message: { kind: "metrics" },
    });
    expect(ok("event", P.event("PS1", 2, NOW, "outage", P.outage(NOW - 1000, NOW, "power")))).toMatchObject({
      ok: true,
    });
    expect(validateMessage(ROOT, `${ROOT}/PS1/cmd/rebirth`, buf({}))).toMatchObject({
      ok: true,
      other: "cmd",
    });
    expect(validateMessage(ROOT, `${ROOT}/PS1/state`, Buffer.alloc(0))).toMatchObject({
      ok: true,
      other: "cleared",
    });
  });

  it("stores an event whose data does not fit its type, but says so (the NOC counts it by type)", () => {
    const check = (type: string, data: Record<string, unknown>) => {
      const v = validateMessage(ROOT, `${ROOT}/PS1/event`, buf(P.event("PS1", 1, NOW, type, data)));
      if (!v.ok || v.message?.kind !== "event") throw new Error("envelope rejected");
      return v.message.checked;
    };
    expect(check("outage", { start: "yesterday" })).toMatchObject({ ok: false, reason: "data" });
    expect(check("printer.paper-out", { device: 7 })).toMatchObject({
      ok: false,
      reason: "data",
      detail: expect.stringContaining("data.device") as unknown,
    });
    expect(check("sim.sample", {})).toMatchObject({ ok: false, reason: "unknown-type" });
    expect(check("printer.paper-out", { device: "printer1" })).toMatchObject({ ok: true });
    // Fields a newer agent adds are ignored, not refused (see docs/mqtt.md, "Compatibility").
    expect(check("printer.paper-near-end", { device: "printer1", tray: 2 })).toMatchObject({ ok: true });
  });

  it("gives each rejection a short reason", () => {
    const bad = (topic: string, payload: Buffer) => {
      const v = validateMessage(ROOT, topic, payload);
      return v.ok ? "ok" : v.reason;
    };
    expect(bad(`${ROOT}/PS1/metrics`, Buffer.from("{"))).toBe("json");
    expect(bad(`${ROOT}/PS1/metrics`, buf({ station: "PS1" }))).toBe("schema:metrics");
    expect(bad(`${ROOT}/PS1/event`, buf({ ...P.event("PS1", 1, NOW, "outage", {}), data: [] }))).toBe(
      "schema:event",
    );
    expect(bad(`${ROOT}/PS1/metrics`, buf(P.metrics("PS2", 1, NOW, NOW, [])))).toBe("station-mismatch");
    expect(bad(`${ROOT}/PS1/link/4g`, buf(P.linkState("PS1", link, NOW)))).toBe("name-mismatch");
    expect(bad(`${ROOT}/PS1/whatever`, buf({}))).toBe("topic");
    expect(bad(`other/PS1/metrics`, buf({}))).toBe("topic");
    expect(bad(`${ROOT}/PS1/link/a/b`, buf({}))).toBe("topic");
  });
});

describe("probable cause of a Last Will", () => {
  const base = { links: {}, devices: {} };
  it("says power when the station was on battery, network when a link had failed, else unknown", () => {
    expect(
      guessCause({ ...base, power: P.powerState("A", true, "2025-03-10T09:00:00Z", NOW) }),
    ).toMatchObject({ cause: "power" });
    const mpls = {
      ...P.linkState(
        "A",
        { name: "mpls", role: "primary", state: "down", active: false, since: "2025-03-10T09:00:00Z" },
        NOW,
      ),
    };
    expect(guessCause({ ...base, links: { mpls } })).toMatchObject({ cause: "network", link: "mpls" });
    const g = P.linkState(
      "A",
      { name: "4g", role: "backup", state: "up", active: true, since: "2025-03-10T09:00:00Z" },
      NOW,
    );
    expect(guessCause({ ...base, links: { "4g": g } })).toMatchObject({ cause: "network", link: "4g" });
    expect(guessCause(base)).toMatchObject({ cause: "unknown" });
  });
});

describe("registry CSV", () => {
  it("parses quoted fields and ignores blank lines", () => {
    expect(
      parseCsv('id,name,district\r\nPS1,"Shivaji Nagar, PS",Pune\n\nPS2,"A ""quoted"" name",\n'),
    ).toEqual([
      { id: "PS1", name: "Shivaji Nagar, PS", district: "Pune" },
      { id: "PS2", name: 'A "quoted" name', district: "" },
    ]);
  });
});
