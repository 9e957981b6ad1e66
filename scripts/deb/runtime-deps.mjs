// Writes a package.json for one program's package: its dependencies cut down to the packages that the
// JavaScript it ships imports (static and dynamic imports, require), so `npm prune --omit=dev` then
// leaves only what that program loads. Stations must not carry the NOC's modules (pg), nor the NOC
// the agent's device addons.
//
//   node scripts/deb/runtime-deps.mjs PACKAGE_JSON OUT_PACKAGE_JSON DIR...
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import process from "node:process";

const [source, out, ...dirs] = process.argv.slice(2);
if (!out || dirs.length === 0) {
  process.stderr.write("usage: runtime-deps.mjs PACKAGE_JSON OUT_PACKAGE_JSON DIR...\n");
  process.exit(2);
}
const pkg = JSON.parse(readFileSync(source, "utf8"));
// import x from "a", import("a"), import "a", require("a") and esbuild's __require("a"),
// createRequire(import.meta.url)("a").
const IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(\s*|require\s*\(\s*|\bimport\s*|\(import\.meta\.url\)\s*\(\s*)["']([^"'./][^"']*)["']/g;
const lock = JSON.parse(readFileSync(join(source, "../package-lock.json"), "utf8"));
/** A direct dependency's range, or the locked version of one that comes with a dependency (bindings). */
const versionOf = (name) => pkg.dependencies?.[name] ?? lock.packages?.[`node_modules/${name}`]?.version;
const used = new Set();
for (const dir of dirs) {
  for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!/\.(m?js|cjs)$/.test(file)) continue;
    for (const m of readFileSync(join(dir, file), "utf8").matchAll(IMPORT)) {
      const spec = m[1];
      if (spec.startsWith("node:") || builtinModules.includes(spec.split("/")[0])) continue;
      const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
      if (versionOf(name)) used.add(name);
    }
  }
}
const dependencies = Object.fromEntries([...used].sort().map((n) => [n, versionOf(n)]));
const { devDependencies: _dev, scripts: _scripts, ...rest } = pkg;
writeFileSync(out, `${JSON.stringify({ ...rest, dependencies }, null, 2)}\n`);
process.stdout.write(`${Object.keys(dependencies).join(" ")}\n`);
