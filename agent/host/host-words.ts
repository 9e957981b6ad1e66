/** The PC's notes in English, with only the host keys loaded (the daemon's memory budget, docs/agent.md). */
import { hostEn } from "../i18n/host-en.js";
import { wordNote, type Note } from "../i18n/note.js";

export function hostEnglish(note: Note): string {
  const words = wordNote(note, (k) => (hostEn as Record<string, string>)[k], "en");
  if (words === undefined) throw new Error(`no English words for ${note.key}`);
  return words;
}
