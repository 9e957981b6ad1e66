/**
 * A small ICU-style message formatter for the agent's catalogues, without Intl (the daemon's memory budget,
 * docs/agent.md). It knows the few shapes the catalogues use:
 *   {name}                      the value as text
 *   {n, number}                 grouped digits: 1,234,567 in English, 12,34,567 (lakh, crore) in Hindi
 *   {n, plural, one {..} other {..}}   with # for the number; Hindi "one" is 0 and 1, English only 1
 * Digits stay 0-9 in both languages, as on the forms and screens station staff use.
 */
export type Lang = "en" | "hi";
export type Params = Record<string, string | number>;

export function groupDigits(n: number, lang: Lang): string {
  const neg = n < 0;
  const [int, frac] = String(Math.abs(n)).split(".") as [string, string | undefined];
  let grouped: string;
  if (lang === "hi" && int.length > 3) {
    // Indian grouping: the last three digits, then pairs (1,00,000 is one lakh).
    const head = int.slice(0, -3);
    grouped = `${head.replace(/\B(?=(\d{2})+$)/g, ",")},${int.slice(-3)}`;
  } else grouped = int.replace(/\B(?=(\d{3})+$)/g, ",");
  return `${neg ? "-" : ""}${grouped}${frac ? `.${frac}` : ""}`;
}

export function pluralCategory(n: number, lang: Lang): "one" | "other" {
  if (lang === "hi") return n === 0 || n === 1 || (n > 0 && n < 1) ? "one" : "other";
  return n === 1 ? "one" : "other";
}

/** The placeholders a message uses, sorted, e.g. ["count", "time"] (for the catalogue tests). */
export function placeholders(message: string): string[] {
  const names = new Set<string>();
  const walk = (m: string) => {
    let i = 0;
    for (let open = m.indexOf("{", i); open >= 0; open = m.indexOf("{", i)) {
      const end = closing(m, open);
      const body = m.slice(open + 1, end);
      const comma = body.indexOf(",");
      names.add((comma < 0 ? body : body.slice(0, comma)).trim());
      const plural = /^[^,]*,\s*plural\s*,([\s\S]*)$/.exec(body);
      if (plural) for (const form of pluralForms(plural[1]!).values()) walk(form);
      i = end + 1;
    }
  };
  walk(message);
  return [...names].sort();
}

function pluralForms(spec: string): Map<string, string> {
  const forms = new Map<string, string>();
  let j = 0;
  while (j < spec.length) {
    const m = /\s*(=\d+|one|other)\s*\{/y;
    m.lastIndex = j;
    const hit = m.exec(spec);
    if (!hit) break;
    const open = hit.index + hit[0].length - 1;
    const end = closing(spec, open);
    forms.set(hit[1]!, spec.slice(open + 1, end));
    j = end + 1;
  }
  return forms;
}

/** Finds the `}` that closes the `{` at `open`. */
function closing(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === "{") depth++;
    else if (s[i] === "}" && --depth === 0) return i;
  }
  throw new Error(`unbalanced braces in message: ${s}`);
}

export function formatMessage(message: string, params: Params, lang: Lang): string {
  let out = "";
  let i = 0;
  while (i < message.length) {
    const open = message.indexOf("{", i);
    if (open < 0) {
      out += message.slice(i);
      break;
    }
    out += message.slice(i, open);
    const end = closing(message, open);
    out += argument(message.slice(open + 1, end), params, lang);
    i = end + 1;
  }
  return out;
}

function argument(body: string, params: Params, lang: Lang): string {
  const comma = body.indexOf(",");
  const name = (comma < 0 ? body : body.slice(0, comma)).trim();
  if (!(name in params)) throw new Error(`message needs {${name}}`);
  const value = params[name]!;
  if (comma < 0) return String(value);
  const rest = body.slice(comma + 1).trim();
  if (rest === "number") return groupDigits(Number(value), lang);
  const plural = /^plural\s*,([\s\S]*)$/.exec(rest);
  if (!plural) throw new Error(`unknown format in {${body}}`);
  const n = Number(value);
  const forms = pluralForms(plural[1]!);
  const form = forms.get(`=${n}`) ?? forms.get(pluralCategory(n, lang)) ?? forms.get("other") ?? "";
  return formatMessage(form.replace(/#/g, groupDigits(n, lang)), params, lang);
}
