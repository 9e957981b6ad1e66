/**
 * English words for what is also machine-read or sent on (the NOC's `diagnose` reply, `--json`), with
 * only the English catalogue loaded: the daemon answers `diagnose` without carrying Hindi.
 */
import { en, type MessageKey } from "./en.js";
import { formatMessage, type Params } from "./format.js";
import { wordNote, type Note } from "./note.js";

export function english(key: MessageKey, params: Params = {}): string {
  return formatMessage(en[key], params, "en");
}

export function englishNote(note: Note): string {
  const words = wordNote(note, (k) => (en as Record<string, string>)[k], "en");
  if (words === undefined) throw new Error(`no English words for ${note.key}`);
  return words;
}
