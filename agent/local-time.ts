/**
 * Station wall-clock time without Intl. The daemon runs with TZ set to `ledger.timezone` (see
 * StationAgent.start), so Date's local getters give station time. Intl is avoided on purpose: the first
 * Intl object of any kind pages in about 7 MB of ICU data and code that then stays resident, against an
 * RSS budget of 80 MB (docs/benchmarks.md).
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function fields(t: number, utc: boolean): Fields {
  const d = new Date(t);
  return utc
    ? {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth(),
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
      }
    : {
        year: d.getFullYear(),
        month: d.getMonth(),
        day: d.getDate(),
        hour: d.getHours(),
        minute: d.getMinutes(),
      };
}

const two = (n: number) => String(n).padStart(2, "0");

/** The local calendar day of `t` as YYYY-MM-DD. */
export function localDay(t: number, utc = false): string {
  const f = fields(t, utc);
  return `${f.year}-${two(f.month + 1)}-${two(f.day)}`;
}

/** "14:05", or "3 Dec, 14:05" when `t` is not within the same stretch of day as `now`. */
export function clockTime(t: number, now: number, utc = false): string {
  const f = fields(t, utc);
  const hhmm = `${two(f.hour)}:${two(f.minute)}`;
  return Math.abs(now - t) < 20 * 3600_000 ? hhmm : `${f.day} ${MONTHS[f.month]}, ${hhmm}`;
}

/**
 * Notices local midnight. `check()` runs every few seconds; when the local date has turned over it calls
 * `onMidnight` once with the day that ended. A clock step that lands later in a day (NTP correcting a
 * station whose RTC battery is flat) changes the date too, but is not a midnight: only a turn seen within
 * the first hour of the new day counts. Wall-clock polling, not one long timer, so a clock step or a
 * suspended machine cannot make it fire at the wrong hour.
 */
export class MidnightWatch {
  private day: string;
  /** The last day rolled up: a clock stepped back across midnight must not roll the same day up twice. */
  private rolled = "";

  constructor(
    private readonly now: () => number,
    private readonly onMidnight: (endedDay: string) => void,
  ) {
    this.day = localDay(now());
  }

  check(): void {
    const t = this.now();
    const day = localDay(t);
    if (day === this.day) return;
    const ended = this.day;
    this.day = day;
    const f = fields(t, false);
    if (day > ended && f.hour === 0 && ended > this.rolled) {
      this.rolled = ended;
      this.onMidnight(ended);
    }
  }
}
