/** Calendar days and months in the state's time zone (IST by default), as epoch-millisecond bounds. */

const MINUTE = 60_000;
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC in minutes at an instant (IST: +330). */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
    offsetFormatters.set(timeZone, f);
  }
  const name = f.formatToParts(new Date(ms)).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!m) return 0;
  const sign = m[1] === "-" ? -1 : 1;
  return sign * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** `YYYY-MM-DD` of the local day containing `ms`. */
export function dayKey(ms: number, timeZone: string): string {
  return new Date(ms + zoneOffsetMinutes(ms, timeZone) * MINUTE).toISOString().slice(0, 10);
}

export function monthKey(ms: number, timeZone: string): string {
  return dayKey(ms, timeZone).slice(0, 7);
}

/** Local midnight of a `YYYY-MM-DD` as epoch ms. */
export function localMidnight(day: string, timeZone: string): number {
  const utc = Date.parse(`${day}T00:00:00Z`);
  const guess = utc - zoneOffsetMinutes(utc, timeZone) * MINUTE;
  // A second pass gets days whose offset differs from the previous day's (DST zones).
  return utc - zoneOffsetMinutes(guess, timeZone) * MINUTE;
}

export function dayBounds(day: string, timeZone: string): { from: number; to: number } {
  return { from: localMidnight(day, timeZone), to: localMidnight(nextDay(day), timeZone) };
}

export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
export const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Every `YYYY-MM-DD` of a `YYYY-MM`. */
export function daysOfMonth(month: string): string[] {
  const days: string[] = [];
  for (let d = `${month}-01`; d.startsWith(month); d = nextDay(d)) days.push(d);
  return days;
}

/** The days a span [from, to) touches. */
export function daysBetween(from: number, to: number, timeZone: string): string[] {
  const days: string[] = [];
  const last = dayKey(Math.max(from, to - 1), timeZone);
  for (let d = dayKey(from, timeZone); d <= last; d = nextDay(d)) days.push(d);
  return days;
}
