/** The agent CLI's words in the reader's language: `t(key, params)`. */
import { en, type MessageKey } from "./en.js";
import { formatMessage, type Lang, type Params } from "./format.js";
import { hi } from "./hi.js";

export type { Lang, MessageKey, Params };
export const LANGS = ["en", "hi"] as const;
export const CATALOGUES: Record<Lang, Record<MessageKey, string>> = { en, hi };

export type Translate = (key: MessageKey, params?: Params) => string;

export function translator(lang: Lang): Translate {
  const catalogue = CATALOGUES[lang];
  return (key, params = {}) => formatMessage(catalogue[key], params, lang);
}

/** --lang, then ui.language in the settings, then the environment's LANG (hi_IN.UTF-8 means Hindi). */
export function pickLang(cli: string | undefined, config: Lang | undefined, env = process.env): Lang {
  const want = cli ?? config ?? (env.LC_ALL || env.LC_MESSAGES || env.LANG || "").slice(0, 2);
  return want === "hi" ? "hi" : "en";
}
