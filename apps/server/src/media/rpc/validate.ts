import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import type { TSchema } from "@sinclair/typebox";
import { AppError } from "../../errors/index.js";
import type { MediaMethod, ShardOperations } from "../MediaService.js";
import { describeMethod, isMediaMethod, type MediaParam } from "./table.js";
import { MediaIdSchema } from "./schemas.js";

const compiled = new Map<TSchema, TypeCheck<TSchema>>();
function checker(schema: TSchema): TypeCheck<TSchema> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

/** What is wrong with one parameter's value, or undefined when it is right. */
function problem(param: MediaParam, value: unknown): { field: string; problem: string } | undefined {
  if (value === undefined) return param.optional ? undefined : { field: param.name, problem: "is required" };
  const first = checker(param.schema).Errors(value).First();
  if (!first) return undefined;
  const inner = first.path.replace(/^\//, "").replace(/\//g, ".");
  // A spread parameter's fields are top-level fields of an HTTP body: name them alone.
  const field = param.spread && inner ? inner : inner ? `${param.name}.${inner}` : param.name;
  return { field, problem: first.value === undefined ? "is required" : describe(first.schema, first.message) };
}

/** A reader's wording for the common schemas (ids, enumerations); TypeBox's message otherwise. */
function describe(schema: TSchema, fallback: string): string {
  if (schema === MediaIdSchema) return "must be 1-128 characters of [A-Za-z0-9_.:-]";
  const options = (schema.anyOf as TSchema[] | undefined)?.map((s) => s.const);
  if (options?.length && options.every((o) => typeof o === "string")) return `must be one of ${options.join(", ")}`;
  return fallback.replace(/^Expected/, "must be");
}

/**
 * Checks the arguments of a media call against the table: the method must be one of the table's
 * and each argument must match its parameter's schema. Throws a 400 AppError (BAD_REQUEST for an
 * unknown method, else VALIDATION_FAILED or the parameter's own code, e.g. INVALID_SDP).
 */
export function checkMediaArgs<M extends MediaMethod>(method: M, args: unknown): Parameters<ShardOperations[M]>;
export function checkMediaArgs(method: unknown, args: unknown): unknown[];
export function checkMediaArgs(method: unknown, args: unknown): unknown[] {
  if (!isMediaMethod(method)) throw new AppError("BAD_REQUEST", `Unknown media method ${JSON.stringify(method)}`);
  const params: readonly MediaParam[] = describeMethod(method).params;
  if (!Array.isArray(args) || args.length > params.length) {
    throw new AppError("VALIDATION_FAILED", `${method} takes ${params.length} argument(s)`);
  }
  for (let i = 0; i < params.length; i++) {
    const bad = problem(params[i], args[i]);
    if (bad) {
      throw new AppError(params[i].code ?? "VALIDATION_FAILED", `${method}: ${bad.field} ${bad.problem}`, [bad]);
    }
  }
  return args;
}

/** Whether `value` is a valid result of `method` (the node client checks what a node answers). */
export function isMediaResult(method: MediaMethod, value: unknown): boolean {
  return checker(describeMethod(method).result).Check(value);
}
