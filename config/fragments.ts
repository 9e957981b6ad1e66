import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/**
 * Settings the NOC delivers (`config-apply`), kept beside the agent's state because /etc is read-only
 * to the agent. They are merged UNDER the local file: whatever the local file sets, it keeps.
 */
export const FRAGMENT_DIR = "config.d";
export const FRAGMENT_FILE = "noc.yaml";

/** Keys a fragment may not set: they say which station this is and where its data lives. */
export const PINNED_KEYS = [
  ["station", "id"],
  ["storage", "dir"],
] as const;

export interface StoredFragment {
  version: string;
  sha256: string;
  settings: Record<string, unknown>;
}

export function fragmentPath(storageDir: string): string {
  return join(storageDir, FRAGMENT_DIR, FRAGMENT_FILE);
}

/** The stored fragment, undefined when none; throws with a reason when the file is not one. */
export function readFragment(storageDir: string): StoredFragment | undefined {
  let text: string;
  try {
    text = readFileSync(fragmentPath(storageDir), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  const doc: unknown = parse(text, { maxAliasCount: 100 });
  if (
    !isRecord(doc) ||
    typeof doc.version !== "string" ||
    typeof doc.sha256 !== "string" ||
    !isRecord(doc.settings)
  )
    throw new Error(`${fragmentPath(storageDir)}: not a config fragment (version, sha256, settings)`);
  return { version: doc.version, sha256: doc.sha256, settings: doc.settings };
}

/** A pinned key the fragment tries to set, if any, as a dotted path. */
export function pinnedKeyIn(settings: Record<string, unknown>): string | undefined {
  for (const path of PINNED_KEYS) {
    let v: unknown = settings;
    for (const k of path) v = isRecord(v) ? v[k] : undefined;
    if (v !== undefined) return path.join(".");
  }
  return undefined;
}

/**
 * `local` over `fragment`: mappings merge key by key; any other value (scalar, list) set locally wins
 * whole. A list of links or devices is one decision, so a fragment never splices into a local list.
 */
export function mergeUnderLocal(fragment: unknown, local: unknown): unknown {
  if (!isRecord(fragment) || !isRecord(local)) return local === undefined ? fragment : local;
  const out: Record<string, unknown> = { ...fragment };
  for (const [k, v] of Object.entries(local)) out[k] = mergeUnderLocal(fragment[k], v);
  return out;
}

/** The keys (dotted) the local file pins among those the fragment sets: shown to the NOC as "kept local". */
export function localOverrides(fragment: unknown, local: unknown, prefix = ""): string[] {
  if (!isRecord(fragment) || !isRecord(local)) return local !== undefined && prefix ? [prefix] : [];
  return Object.keys(fragment).flatMap((k) =>
    local[k] === undefined ? [] : localOverrides(fragment[k], local[k], prefix ? `${prefix}.${k}` : k),
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
