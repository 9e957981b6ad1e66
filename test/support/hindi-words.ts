/**
 * Finds English left in text that should be Hindi (issue 18). Kept on purpose, and so not counted:
 * - the technical words staff say or read as they are (KEPT below, reviewed: NOC, USB, UPS, pid ...);
 * - commands to type, from the command's name to the end of its clause (systemctl start station-agent);
 * - tokens with a digit, dot, slash, underscore, @, = or brackets: paths, config keys, ids, addresses;
 * - command-line options (--port);
 * - single letters (the m / a / q answer keys);
 * - the words of the data the text was made from (station ids, device names), passed by the test.
 * Everything else made of Latin letters is a leftover: an English word a Hindi reader was shown.
 */
export const KEPT = new Set([
  "NOC",
  "USB",
  "UPS",
  "HID",
  "CPU",
  "SMART",
  "GB",
  "MiB",
  "ms",
  "pid",
  "API",
  "CCTNS",
  "TCP",
  "TLS",
  "MQTT",
  "DNS",
  "IP",
  "NTP",
  "ICMP",
  "FIR",
  "TCN",
  "PNG",
  "NFIQ",
  "DLE",
  "EOT",
  "UTC",
  "IST",
  "CA",
  "Enter",
  "baud",
  "ping",
  "libusb",
  "libudev",
  "node-hid",
  "timesyncd",
  "chrony",
  "chronyc",
  "timedatectl",
  "smartmontools",
  "systemd-timesyncd",
  "loopback",
  "dialout",
  "lp",
  "udev",
  "station-api",
  "station-agent",
  "PATH",
  "HOST",
  "PORT",
  "CAP_NET_RAW",
  "id",
  "FEED",
  "mqtt",
  "mqtts",
  "root",
]);

const COMMAND =
  /(?:systemctl|station-agent-setup|station-agent (?:status|doctor|devices|booking|config)|station-noc|journalctl|apt-get|timedatectl set-ntp|usermod|setcap|groupadd|age -d|ip link|npm ci)[^।;,()\n]*/g;

export function englishLeftovers(text: string, data: readonly string[] = []): string[] {
  const fromData = new Set(data.flatMap((d) => d.split(/[^A-Za-z0-9._/@:-]+/)));
  const rest = text.replace(COMMAND, " ");
  const leftovers: string[] = [];
  for (const token of rest.match(/[A-Za-z0-9._/@=[\]+-]+/g) ?? []) {
    if (/[0-9./_@=[\]]/.test(token) || token.startsWith("-")) continue;
    const word = token.replace(/^[-+]+|[-+]+$/g, "");
    if (word.length < 2 || !/[A-Za-z]/.test(word)) continue;
    if (KEPT.has(word) || fromData.has(word)) continue;
    leftovers.push(word);
  }
  return leftovers;
}

/** A message with its {placeholders} taken out, for checking the catalogue's own words. */
export function withoutPlaceholders(message: string): string {
  let out = "";
  let depth = 0;
  for (const ch of message) {
    if (ch === "{") depth++;
    else if (ch === "}") depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}
