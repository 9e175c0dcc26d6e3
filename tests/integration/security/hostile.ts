import AjvModule from "ajv";
import addFormatsModule from "ajv-formats";
import { PROTOCOL_FORMATS } from "@vtp/protocol";

/**
 * Hostile values for a field, chosen from its JSON schema (an OpenAPI parameter, a request
 * body property, a socket payload property), and a valid value for a schema (to fill the other
 * fields, so that each hostile value reaches the code behind the schema when the schema lets it
 * through). Used by the bad-input tables, which cover every route and event by construction.
 */

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  nullable?: boolean;
  [k: string]: unknown;
};

export const UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000";
const OVERLONG = "x".repeat(100_000);

/** Strings no field should store or look up as they are. */
export const HOSTILE_STRINGS: [string, string][] = [
  ["NUL", "a\u0000b"],
  ["bell", "a\u0007b"],
  ["escape sequence", "\u001b[31mred"],
  ["DEL", "a\u007fb"],
  ["C1 control", "a\u0085b"],
  ["overlong", OVERLONG],
  ["not a UUID", "not-a-uuid"],
  ["urn UUID", `urn:uuid:${UNKNOWN_UUID}`],
  ["SQL-ish", "1' or '1'='1"],
  ["year 0", "0000-01-01T00:00:00Z"],
  ["leap second", "2016-12-31T23:59:60Z"],
  ["30 February", "2021-02-30T10:00:00Z"],
  ["year 275760", "+275760-09-13T00:00:00Z"],
  ["lower-case date-time", "2030-01-01t00:00:00z"],
];

/** Values of the wrong type, or numbers out of any sane range. */
export const HOSTILE_OTHERS: [string, unknown][] = [
  ["number", 12345],
  ["huge number", 1e308],
  ["negative", -1],
  ["fraction", 1.5],
  ["unsafe integer", 2 ** 53 + 1],
  ["true", true],
  ["null", null],
  ["array", ["a"]],
  ["object", { a: 1 }],
  ["empty string", ""],
];

export const HOSTILE_VALUES: [string, unknown][] = [...HOSTILE_STRINGS, ...HOSTILE_OTHERS];

const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as typeof AjvModule;
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;
const ajv = addFormats(new Ajv({ strict: false, allErrors: false }));
for (const [name, validate] of Object.entries(PROTOCOL_FORMATS)) ajv.addFormat(name, { type: "string", validate });
const compiled = new Map<JsonSchema, (v: unknown) => boolean>();

/** Whether `value` is valid for `schema` with the protocol's formats (no coercion). */
export function accepts(schema: JsonSchema, value: unknown): boolean {
  let check = compiled.get(schema);
  if (!check) {
    const fn = ajv.compile(stripOpenApi(schema));
    check = (candidate) => fn(candidate) as boolean;
    compiled.set(schema, check);
  }
  return check(value);
}

/** OpenAPI 3.0 writes `nullable: true` where JSON Schema has a null type. */
function stripOpenApi(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema), (_k, value) => {
    if (value && typeof value === "object" && !Array.isArray(value) && value.nullable === true) {
      const { nullable: _n, ...rest } = value;
      return { anyOf: [rest, { type: "null" }] };
    }
    return value;
  });
}

/** A value the schema accepts; `known` gives values for fields by name (fixture ids). */
export function validValue(schema: JsonSchema, known: Record<string, unknown> = {}, name = ""): unknown {
  if (name && known[name] !== undefined) return known[name];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return validValue(variants.find((v) => v.type !== "null") ?? variants[0]!, known, name);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type ?? (schema.properties ? "object" : "string")) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = validValue(schema.properties?.[key] ?? {}, known, key);
      return out;
    }
    case "array":
      return [];
    case "integer":
    case "number":
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      if (schema.format === "uuid") return UNKNOWN_UUID;
      if (schema.format === "date-time") return "2030-09-01T08:30:00Z";
      return "valid-text".padEnd(schema.minLength ?? 0, "x");
  }
}

/** Every field path of an object schema, nested objects included (e.g. `settings.maxParticipants`). */
export function fieldPaths(schema: JsonSchema, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const path = [...prefix, key];
    out.push(path);
    const obj = sub.properties ? sub : (sub.anyOf ?? sub.oneOf)?.find((v) => v.properties);
    if (obj) out.push(...fieldPaths(obj, path));
  }
  return out;
}

/** `base` with the field at `path` set to `value` (intermediate objects made valid first). */
export function withField(
  base: Record<string, unknown>,
  schema: JsonSchema,
  path: string[],
  value: unknown,
  known: Record<string, unknown> = {},
): Record<string, unknown> {
  const copy = structuredClone(base);
  let target: Record<string, unknown> = copy;
  let subSchema: JsonSchema = schema;
  for (const key of path.slice(0, -1)) {
    const sub = subSchema.properties?.[key] ?? {};
    subSchema = sub.properties ? sub : ((sub.anyOf ?? sub.oneOf)?.find((v) => v.properties) ?? sub);
    if (typeof target[key] !== "object" || target[key] === null) target[key] = validValue(subSchema, known, key);
    target = target[key] as Record<string, unknown>;
  }
  target[path.at(-1)!] = value;
  return copy;
}
