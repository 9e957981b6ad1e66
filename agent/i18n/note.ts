/**
 * A message kept as its key and values rather than as words, so the process that finds a problem (the
 * daemon) and the one that shows it (the CLI, in the reader's language) can be different. A value may
 * itself be a note: "the hard disk X is failing ({why})" with why = "3 bad sectors".
 */
import { formatMessage, type Lang } from "./format.js";

export interface Note {
  key: string;
  params?: Record<string, string | number | Note>;
}

/** The note in words, or undefined when the catalogue lacks one of its keys (a newer agent's note). */
export function wordNote(
  note: Note,
  lookup: (key: string) => string | undefined,
  lang: Lang,
): string | undefined {
  const message = lookup(note.key);
  if (message === undefined) return undefined;
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(note.params ?? {})) {
    if (typeof value !== "object") params[name] = value;
    else {
      const inner = wordNote(value, lookup, lang);
      if (inner === undefined) return undefined;
      params[name] = inner;
    }
  }
  return formatMessage(message, params, lang);
}

/** Is this JSON a note (for notes read back from the agent's API)? */
export function isNote(x: unknown): x is Note {
  if (typeof x !== "object" || x === null || typeof (x as Note).key !== "string") return false;
  const p = (x as Note).params;
  if (p === undefined) return true;
  if (typeof p !== "object" || p === null) return false;
  return Object.values(p).every((v) => typeof v === "string" || typeof v === "number" || isNote(v));
}

/** Words for a note with the reader's translator; a plain string (already words) stays as it is. */
export function say(
  t: (key: never, params?: Record<string, string | number>) => string,
  w: string | Note,
): string {
  if (typeof w === "string") return w;
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(w.params ?? {}))
    params[name] = typeof value === "object" ? say(t, value) : value;
  return (t as (key: string, params?: Record<string, string | number>) => string)(w.key, params);
}
