import AjvModule from "ajv";
import addFormatsModule from "ajv-formats";
import type { FastifyInstance } from "fastify";

// ajv and ajv-formats are CommonJS modules whose class sits on `.default` under ESM.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as typeof AjvModule;
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;

/**
 * Request validation. Bodies are JSON and must have exactly the right types (no coercion:
 * `12345` is not a name, `["a"]` is not a token). Query strings, params and headers arrive
 * as text, so there numbers and booleans are coerced from their string form.
 */
export function registerValidation(app: FastifyInstance) {
  const base = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false } as const;
  const strictAjv = addFormats(new Ajv({ ...base, coerceTypes: false }));
  const coercingAjv = addFormats(new Ajv({ ...base, coerceTypes: "array" }));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? strictAjv : coercingAjv).compile(schema));
}
