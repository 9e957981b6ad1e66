import { closeSync, existsSync, openSync, readSync } from "node:fs";

const ZONEINFO = "/usr/share/zoneinfo";
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/**
 * Whether `tz` names an IANA time zone. The tz database on disk (tzdata, which the .deb depends on) answers
 * first: asking Intl would page about 7 MB of ICU data into the daemon for good. Intl answers only where
 * the database is not installed. `posix/` and `right/` are tzdata's alternative trees, not zone names.
 */
export function isTimeZone(tz: string, zoneinfo = ZONEINFO): boolean {
  if (!ZONE_NAME.test(tz) || /^(posix|right)\//.test(tz)) return false;
  if (!existsSync(zoneinfo)) return intlKnows(tz);
  let fd: number | undefined;
  try {
    fd = openSync(`${zoneinfo}/${tz}`, "r");
    const magic = Buffer.alloc(4);
    return readSync(fd, magic, 0, 4, 0) === 4 && magic.toString("latin1") === "TZif";
  } catch {
    return false; // absent, or a directory such as "Asia"
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function intlKnows(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
