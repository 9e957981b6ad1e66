import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { clockTime, localDay, MidnightWatch } from "../../agent/local-time.js";
import { isTimeZone } from "../../config/time-zone.js";

// As StationAgent.start does; each test file runs in its own worker, so this stays in this file.
beforeAll(() => {
  process.env.TZ = "Asia/Kolkata";
});

const at = (iso: string) => Date.parse(iso);

describe("station local time without Intl", () => {
  it("turns the day at local midnight, 18:30 UTC in India", () => {
    expect(localDay(at("2026-12-02T18:29:59Z"))).toBe("2026-12-02");
    expect(localDay(at("2026-12-02T18:30:00Z"))).toBe("2026-12-03");
    expect(localDay(at("2026-12-02T18:30:00Z"), true)).toBe("2026-12-02");
  });

  it("prints a clock time, with the date when it is not today", () => {
    const now = at("2026-12-03T08:00:00Z");
    expect(clockTime(at("2026-12-03T05:05:00Z"), now)).toBe("10:35");
    expect(clockTime(at("2026-12-03T05:05:00Z"), now, true)).toBe("05:05");
    expect(clockTime(at("2026-11-30T20:00:00Z"), now)).toBe("1 Dec, 01:30");
  });
});

describe("MidnightWatch", () => {
  function watch(startIso: string) {
    let t = at(startIso);
    const days: string[] = [];
    const w = new MidnightWatch(
      () => t,
      (d) => days.push(d),
    );
    return {
      days,
      step(toIso: string, everyMs = 15_000) {
        const end = at(toIso);
        if (end < t) t = end;
        while (t < end) {
          t = Math.min(end, t + everyMs);
          w.check();
        }
        w.check();
      },
      jump(toIso: string) {
        t = at(toIso);
        w.check();
      },
    };
  }

  it("rolls up each day that ends, once, within a check interval of midnight", () => {
    const w = watch("2026-12-02T17:00:00Z");
    w.step("2026-12-02T18:29:50Z");
    expect(w.days).toEqual([]);
    w.step("2026-12-02T18:30:10Z");
    expect(w.days).toEqual(["2026-12-02"]);
    w.step("2026-12-04T18:45:00Z", 60_000);
    expect(w.days).toEqual(["2026-12-02", "2026-12-03", "2026-12-04"]);
  });

  it("does not take a clock step later in the day for a midnight", () => {
    // A station booted with a flat RTC battery, then NTP sets the real time.
    const w = watch("2024-01-01T04:00:00Z");
    w.jump("2026-12-03T06:00:00Z");
    expect(w.days).toEqual([]);
    w.step("2026-12-03T18:31:00Z", 60_000);
    expect(w.days).toEqual(["2026-12-03"]);
  });

  it("does not roll a day up twice when the clock is stepped back across midnight", () => {
    const w = watch("2026-12-02T18:29:00Z");
    w.step("2026-12-02T18:31:00Z");
    w.jump("2026-12-02T18:25:00Z");
    w.step("2026-12-02T18:35:00Z");
    expect(w.days).toEqual(["2026-12-02"]);
  });
});

describe("isTimeZone", () => {
  it("knows zones from the tz database on disk", () => {
    for (const tz of ["Asia/Kolkata", "Asia/Calcutta", "UTC", "Etc/UTC", "America/Argentina/Buenos_Aires"]) {
      expect(isTimeZone(tz), tz).toBe(true);
    }
  });

  it("refuses what is not a zone, including paths out of the database", () => {
    for (const tz of [
      "Mars/Olympus",
      "",
      "IST+5",
      "Asia",
      "posix/Asia/Kolkata",
      "../../etc/passwd",
      "zone.tab",
    ]) {
      expect(isTimeZone(tz), tz).toBe(false);
    }
  });

  it("reads the TZif magic, not just the file name", () => {
    const dir = mkdtempSync(join(tmpdir(), "zoneinfo-"));
    mkdirSync(join(dir, "Asia"));
    writeFileSync(join(dir, "Asia/Kolkata"), "TZif2\0\0\0");
    writeFileSync(join(dir, "Asia/Fake"), "not a zone");
    expect(isTimeZone("Asia/Kolkata", dir)).toBe(true);
    expect(isTimeZone("Asia/Fake", dir)).toBe(false);
  });

  it("asks Intl where no tz database is installed", () => {
    const none = join(tmpdir(), "no-zoneinfo-here");
    expect(isTimeZone("Asia/Kolkata", none)).toBe(true);
    expect(isTimeZone("Mars/Olympus", none)).toBe(false);
  });
});
