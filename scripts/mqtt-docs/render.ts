// Turns a contract schema into what a person reads: a field table (type, unit, meaning) and an example
// that is checked against the schema, so neither can drift from the code.
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";

type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  description?: string;
  unit?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
};

/** The JSON Schema of what a receiver accepts (zod's input side): the form docs/schemas/ publishes. */
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
}

interface Row {
  field: string;
  type: string;
  unit: string;
  meaning: string;
}

const code = (v: unknown) => `\`${JSON.stringify(v)}\``;

function typeName(s: JsonSchema): string {
  if (s.const !== undefined) return code(s.const);
  if (s.enum) return s.enum.map(code).join(" \\| ");
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const nonNull = alts.filter((a) => a.type !== "null");
    const names = nonNull.map(typeName).join(" or ");
    return nonNull.length < alts.length ? `${names} or null` : names;
  }
  if (Array.isArray(s.type)) return s.type.join(" or ");
  if (s.type === "string" && s.format === "date-time") return "time (RFC 3339)";
  if (s.type === "array") return `array of ${s.items ? typeName(s.items) : "any"}`;
  if (s.type === "object" && !s.properties && typeof s.additionalProperties === "object")
    return `map of ${typeName(s.additionalProperties)}`;
  return s.type ?? "any";
}

function unitOf(s: JsonSchema): string {
  if (s.unit) return s.unit;
  const alt = (s.anyOf ?? s.oneOf)?.find((a) => a.unit);
  return alt?.unit ?? "";
}

function meaningOf(s: JsonSchema): string {
  const alt = (s.anyOf ?? s.oneOf)?.find((a) => a.description);
  const text = s.description ?? alt?.description ?? "";
  const range =
    s.minimum !== undefined && s.maximum !== undefined && s.maximum < 1e9
      ? ` (${s.minimum}–${s.maximum})`
      : "";
  return `${text}${range}`;
}

/** The object a property describes, looking through nullable and array wrappers. */
function inner(s: JsonSchema): { schema: JsonSchema; suffix: string } | undefined {
  const nonNull = (s.anyOf ?? s.oneOf)?.filter((a) => a.type !== "null");
  if (nonNull?.length === 1) return inner(nonNull[0]!);
  if (s.type === "array" && s.items?.properties) return { schema: s.items, suffix: "[]" };
  if (s.properties) return { schema: s, suffix: "" };
  if (s.type === "object" && typeof s.additionalProperties === "object" && s.additionalProperties.properties)
    return { schema: s.additionalProperties, suffix: ".<name>" };
  return undefined;
}

function rows(s: JsonSchema, prefix: string, out: Row[]): Row[] {
  const required = new Set(s.required ?? []);
  for (const [name, p] of Object.entries(s.properties ?? {})) {
    const field = `${prefix}${name}`;
    const optional = required.has(name) ? "" : ", optional";
    const sub = inner(p);
    out.push({
      field: `\`${field}\``,
      type: sub
        ? `${sub.suffix === "[]" ? "array of object" : sub.suffix ? "map of object" : "object"}${optional}`
        : `${typeName(p)}${optional}`,
      unit: unitOf(p),
      meaning: meaningOf(p),
    });
    if (sub) rows(sub.schema, `${field}${sub.suffix}.`, out);
  }
  return out;
}

export function fieldTable(schema: z.ZodType): string {
  const s = jsonSchema(schema) as JsonSchema;
  const variants = s.oneOf ?? s.anyOf;
  if (variants) {
    // A discriminated union (the state topic): one table per form, named by its constant field.
    return variants
      .map((v) => {
        const [key, p] = Object.entries(v.properties ?? {}).find(([, p]) => p.const !== undefined) ?? [];
        const label = key ? `When \`${key}\` is ${code(p?.const)}:` : "Or:";
        return `${label}\n\n${table(rows(v, "", []))}`;
      })
      .join("\n\n");
  }
  return table(rows(s, "", []));
}

function table(list: Row[]): string {
  if (list.length === 0) return "No fields: `{}`.\n";
  const esc = (t: string) => t.replace(/\|/g, "\\|");
  return [
    "| Field | Type | Unit | Meaning |",
    "| --- | --- | --- | --- |",
    ...list.map((r) => `| ${r.field} | ${r.type} | ${r.unit} | ${esc(r.meaning)} |`),
  ].join("\n");
}

/**
 * The example must parse, and parsing must not drop anything: an example with a field the schema does
 * not know (zod strips it) would teach a reader a field that does not exist.
 */
export function checkedExample(name: string, schema: z.ZodType, example: unknown): string {
  const r = schema.safeParse(example);
  if (!r.success) throw new Error(`example for ${name} does not match its schema: ${r.error.message}`);
  if (!isDeepStrictEqual(r.data, example))
    throw new Error(`example for ${name} has fields its schema does not know (or relies on defaults)`);
  return "```json\n" + compactJson(example, "") + "\n```";
}

/** JSON with every object or array that fits on one line (100 columns) kept on one line, for reading. */
function compactJson(value: unknown, indent: string): string {
  const flat = JSON.stringify(value, null, 1)
    .replace(/\n\s*/g, " ")
    .replace(/([[{]) /g, "$1")
    .replace(/ ([\]}])/g, "$1");
  if (value === null || typeof value !== "object" || indent.length + flat.length <= 100) return flat;
  const next = `${indent}  `;
  const items = Array.isArray(value)
    ? value.map((v) => `${next}${compactJson(v, next)}`)
    : Object.entries(value).map(
        ([k, v]) => `${next}${JSON.stringify(k)}: ${compactJson(v, next + " ".repeat(k.length + 4))}`,
      );
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return `${open}\n${items.join(",\n")}\n${indent}${close}`;
}
