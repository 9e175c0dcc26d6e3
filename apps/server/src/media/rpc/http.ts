/**
 * How a media call travels over HTTP between a node client and a media node, derived from the
 * table's routes: `:name` path segments carry those parameters, the other parameters are fields of
 * the JSON body (a `spread` object's fields directly), and the result is the body (under
 * `resultKey` when set; `{ ok: true }` for operations that answer nothing).
 */
import { AppError } from "../../errors/index.js";
import type { MediaMethod } from "../MediaService.js";
import { describeMethod, type MediaParam } from "./table.js";

const inPath = (method: MediaMethod, param: MediaParam) => describeMethod(method).http.path.split("/").includes(`:${param.name}`);
const answersNothing = (method: MediaMethod) => describeMethod(method).result.type === "void";

export interface MediaHttpRequest {
  verb: "GET" | "POST";
  /** Path with the parameters filled in (URL-encoded). */
  path: string;
  /** The JSON body of a POST. */
  body?: Record<string, unknown>;
}

/** Client side: the request that performs `method(...args)`. */
export function toHttpRequest(method: MediaMethod, args: readonly unknown[]): MediaHttpRequest {
  const route = describeMethod(method).http;
  let path = route.path;
  const body: Record<string, unknown> = {};
  describeMethod(method).params.forEach((param, i) => {
    const value = args[i];
    if (inPath(method, param)) path = path.replace(`:${param.name}`, encodeURIComponent(String(value)));
    else if (param.spread) Object.assign(body, value ?? {});
    else body[param.name] = value;
  });
  return route.verb === "POST" ? { verb: "POST", path, body } : { verb: "GET", path };
}

/**
 * Node side: the arguments of `method` from a request's path parameters and body. The body must be
 * a JSON object (or absent); the arguments are not checked here (checkMediaArgs does that).
 */
export function fromHttpRequest(method: MediaMethod, pathParams: Record<string, string>, rawBody: unknown): unknown[] {
  if (rawBody !== undefined && rawBody !== null && (typeof rawBody !== "object" || Array.isArray(rawBody))) {
    throw new AppError("VALIDATION_FAILED", "The body must be a JSON object");
  }
  const body = (rawBody ?? {}) as Record<string, unknown>;
  const args = describeMethod(method).params.map((param) => {
    if (inPath(method, param)) return pathParams[param.name];
    if (!param.spread) return body[param.name];
    // Only the object's own fields, as the schema names them; absent altogether when optional.
    const fields = Object.keys((param.schema as { properties?: object }).properties ?? {});
    const picked = Object.fromEntries(fields.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]));
    return param.optional && Object.keys(picked).length === 0 ? undefined : picked;
  });
  // Trailing optional parameters left out, as a direct caller would.
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  return args;
}

/** Node side: the response body for a result. */
export function toHttpResult(method: MediaMethod, result: unknown): unknown {
  if (answersNothing(method)) return { ok: true };
  const key = describeMethod(method).http.resultKey;
  return key ? { [key]: result } : result;
}

/** Client side: the result from a response body (the node's own extra fields dropped). */
export function fromHttpResult(method: MediaMethod, body: unknown): unknown {
  if (answersNothing(method)) return undefined;
  const route = describeMethod(method).http;
  const key = route.resultKey;
  if (key) return (body as Record<string, unknown> | undefined)?.[key];
  const extra = route.nodeFields;
  if (extra && body && typeof body === "object") {
    return Object.fromEntries(Object.entries(body).filter(([k]) => !extra.includes(k)));
  }
  return body;
}
