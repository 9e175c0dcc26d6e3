import AjvModule from "ajv";
import addFormatsModule from "ajv-formats";
import type { FastifyInstance } from "fastify";
import { PROTOCOL_FORMATS } from "@vtp/protocol";

// ajv and ajv-formats are CommonJS modules whose class sits on `.default` under ESM.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as typeof AjvModule;
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;

/**
 * Request validation. Bodies are JSON and must have exactly the right types (no coercion:
 * `12345` is not a name, `["a"]` is not a token). Query strings, params and headers arrive
 * as text, so there numbers and booleans are coerced from their string form. The protocol's
 * own `uuid` and `date-time` (stricter than ajv-formats': no `urn:uuid:` prefix; years
 * 2000–9999, no leap second) replace ajv-formats' ones, so HTTP and sockets check alike.
 */
export function registerValidation(app: FastifyInstance) {
  const base = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false } as const;
  const strictAjv = withProtocolFormats(addFormats(new Ajv({ ...base, coerceTypes: false })));
  const coercingAjv = withProtocolFormats(addFormats(new Ajv({ ...base, coerceTypes: "array" })));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? strictAjv : coercingAjv).compile(schema));
}

function withProtocolFormats<T extends InstanceType<typeof Ajv>>(ajv: T): T {
  for (const [name, validate] of Object.entries(PROTOCOL_FORMATS)) ajv.addFormat(name, { type: "string", validate });
  return ajv;
}
