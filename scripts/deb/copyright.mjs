// Prints /usr/share/doc/station-agent/copyright: the agent's own licence and, for every module bundled
// under node_modules, its name, version, declared licence and where its licence text is.
// usage: node copyright.mjs /path/to/opt/station-agent
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import process from "node:process";

const app = process.argv[2];
const own = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));

function* packages(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith("@")) {
      yield* packages(path);
      continue;
    }
    if (existsSync(join(path, "package.json"))) yield path;
    yield* packages(join(path, "node_modules"));
  }
}

const common = {
  "Apache-2.0": "Apache-2.0",
  "GPL-2.0": "GPL-2",
  "GPL-3.0": "GPL-3",
  "LGPL-2.1": "LGPL-2.1",
  "MPL-2.0": "MPL-2.0",
};
const lines = [
  `station-agent ${own.version}`,
  "",
  `Copyright ${new Date(Number(process.env.SOURCE_DATE_EPOCH ?? Date.now() / 1000) * 1000).getUTCFullYear()} the CCTNS station-agent authors.`,
  `License: ${own.license}`,
];
if (common[own.license]) {
  lines.push(` On Debian systems the full text is in /usr/share/common-licenses/${common[own.license]}.`);
}
lines.push(
  "",
  "Bundled Node.js modules (under /opt/station-agent/node_modules), with their declared licences.",
);
lines.push("Each module's licence text is in its own directory (LICENSE, LICENCE or COPYING).", "");
const rows = [];
for (const path of packages(join(app, "node_modules"))) {
  const meta = JSON.parse(readFileSync(join(path, "package.json"), "utf8"));
  if (!meta.name || !meta.version) continue;
  const license = typeof meta.license === "string" ? meta.license : (meta.license?.type ?? "see module");
  const text = readdirSync(path).find((f) => /^(licen[cs]e|copying)/i.test(f));
  rows.push(`${meta.name} ${meta.version}: ${license}${text ? ` (${relative(app, join(path, text))})` : ""}`);
}
rows.sort();
process.stdout.write(`${lines.join("\n")}\n${rows.map((r) => ` ${r}`).join("\n")}\n`);
