/** `--lang` for the commands people read: --lang, then ui.language in the settings, then LANG. */
import { Option } from "commander";
import { loadConfig } from "../../config/load.js";
import { pickLang, type Lang } from "../i18n/index.js";

/** The settings are read only for ui.language; a user who may not read them gets LANG's choice. */
export function langFor(cliLang: Lang | undefined, configPath: string): Lang {
  if (cliLang) return cliLang;
  try {
    return pickLang(undefined, loadConfig(configPath).config.ui.language);
  } catch {
    return pickLang(undefined, undefined);
  }
}

export const LANG_OPTION = (): Option =>
  new Option("--lang <language>", "en or hi (default: ui.language, then LANG)").choices(["en", "hi"]);
