import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { type ClientEventName, ClientEvents, type EventPayload } from "@vtp/protocol";
import { AppError } from "../errors/index.js";

/** Each event's payload schema, compiled once. */
const compiled = new Map<TSchema, TypeCheck<TSchema>>();

/** Checks `payload` against event `event`'s schema in the protocol: VALIDATION_FAILED names the first wrong field. */
export function validatePayload(event: ClientEventName, payload: unknown): asserts payload is EventPayload<ClientEventName> {
  const schema: TSchema = ClientEvents[event].payload;
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  if (check.Check(payload)) return;
  const first = check.Errors(payload).First();
  const field = first?.path.replace(/^\//, "").replace(/\//g, ".") || "payload";
  throw new AppError("VALIDATION_FAILED", `${field}: ${first?.message ?? "invalid"}`, first ? [{ field, problem: first.message }] : undefined);
}
