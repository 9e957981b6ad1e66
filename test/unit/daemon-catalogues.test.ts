/**
 * The daemon's memory budget (issue 18, docs/agent.md): the message catalogues are for the CLI. Walking
 * the static imports from the entry point (what `station-agent run` loads before any command runs), the
 * English and Hindi catalogues are not reached; only the small per-purpose parts the daemon words things
 * with (the PC's status lines, the finger names of the booking API) are.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");

/** Files reachable by static `import ... from` / `export ... from` (not `import type`, not `import()`). */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, "utf8");
    for (const m of src.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+"(\.[^"]+)"/gms)) {
      const target = resolve(dirname(file), m[1]!.replace(/\.js$/, ".ts"));
      if (existsSync(target)) walk(target);
    }
  };
  walk(join(ROOT, entry));
  return new Set([...seen].map((f) => relative(ROOT, f)));
}

describe("the daemon and the catalogues", () => {
  it("does not load the CLI's English or Hindi catalogue at start", () => {
    const graph = staticGraph("agent/cli.ts");
    expect(graph.has("agent/app.ts")).toBe(true); // the walk does reach the daemon
    const i18n = [...graph].filter((f) => f.startsWith("agent/i18n/")).sort();
    expect(i18n).toEqual(["agent/i18n/format.ts", "agent/i18n/host-en.ts", "agent/i18n/note.ts"]);
  });

  it("the walk finds a catalogue where one is imported (it can fail)", () => {
    expect(staticGraph("agent/cli/status-command.ts").has("agent/i18n/hi.ts")).toBe(true);
  });
});
