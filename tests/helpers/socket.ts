import type { Socket } from "socket.io-client";
import { FormatRegistry } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import {
  ClientEvents,
  ServerEvents,
  type ServerEventName,
  type ClientEventName,
  type ClientToServerEvents,
  type ErrorBody,
  type EventPayload,
  type EventResult,
  type ServerToClientEvents,
} from "@vtp/protocol";

/**
 * Socket events in tests, typed from the protocol's event maps (packages/protocol/src/events.ts):
 * an event name, a payload field or an ack field that the protocol does not have fails the
 * type-check of the tests, and every successful ack is checked against its event's result
 * schema at run time (a server answering another shape than the protocol says fails the test).
 */

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * An ack as a test reads it: `ok`, and both the result's fields (typed from the event's result
 * schema) and `error`, so that a test asserts on the side it expects without narrowing first.
 * The other side is undefined at run time and fails the assertion.
 */
export type TestAck<E extends ClientEventName> = { ok: boolean; error: ErrorBody } & EventResult<E>;

/** The payload argument of event `E`: optional when an empty payload is valid for it. */
export type PayloadArgs<E extends ClientEventName> = Record<never, never> extends EventPayload<E> ? [payload?: EventPayload<E>] : [payload: EventPayload<E>];

/** The ack of a failed event, or of an event sent with a malformed payload (see `rawAckOf`). */
export type RawAck = { ok: boolean; error: ErrorBody } & Record<string, unknown>;

const ACK_TIMEOUT_MS = 15_000;

if (!FormatRegistry.Has("date-time")) FormatRegistry.Set("date-time", (value) => !Number.isNaN(Date.parse(value)));
const resultChecks = new Map<ClientEventName, TypeCheck<(typeof ClientEvents)[ClientEventName]["result"]>>();

/** Resolves with the ack; throws when an `ok` ack does not match the event's result schema in the protocol. */
async function checked<E extends ClientEventName>(event: E, pending: Promise<TestAck<E>>): Promise<TestAck<E>> {
  const ack = await pending;
  if (!ack?.ok) return ack;
  let check = resultChecks.get(event);
  if (!check) {
    check = TypeCompiler.Compile(ClientEvents[event].result);
    resultChecks.set(event, check);
  }
  if (!check.Check(ack)) {
    const first = check.Errors(ack).First();
    throw new Error(
      `the ack of "${event}" does not match its result schema in the protocol: ${first?.path || "/"} ${first?.message} (${JSON.stringify(ack).slice(0, 300)})`,
    );
  }
  return ack;
}

const eventChecks = new Map<ServerEventName, TypeCheck<(typeof ServerEvents)[ServerEventName]>>();

/** Throws when a server event's payload does not match its schema in the protocol's map. */
export function checkServerEvent(event: ServerEventName, payload: unknown): void {
  let check = eventChecks.get(event);
  if (!check) {
    check = TypeCompiler.Compile(ServerEvents[event]);
    eventChecks.set(event, check);
  }
  if (check.Check(payload)) return;
  const first = check.Errors(payload).First();
  throw new Error(
    `the server event "${event}" does not match its schema in the protocol: ${first?.path || "/"} ${first?.message} (${JSON.stringify(payload).slice(0, 300)})`,
  );
}

/** Sends `event` with its payload and resolves with its ack (fails after `timeoutMs` without one). */
export function ackOf<E extends ClientEventName>(socket: ClientSocket, event: E, payload: EventPayload<E>, timeoutMs = ACK_TIMEOUT_MS): Promise<TestAck<E>> {
  // Socket.IO's typings cannot pair an event name that is a type parameter with its arguments:
  // this function's signature types them from the protocol's map instead.
  const wire: Socket = socket;
  return checked(event, wire.timeout(timeoutMs).emitWithAck(event, payload));
}

/** `ackOf` where an empty payload is valid for the event and may be left out (sent as no argument at all). */
export function ackOfMaybeEmpty<E extends ClientEventName>(socket: ClientSocket, event: E, ...payload: PayloadArgs<E>): Promise<TestAck<E>> {
  const wire: Socket = socket;
  return checked(event, wire.timeout(ACK_TIMEOUT_MS).emitWithAck(event, ...payload));
}

/**
 * For tests of bad input only: any event name and any arguments (a malformed payload, none,
 * several), resolving with the ack as it came.
 */
export function rawAckOf(socket: ClientSocket, event: string, ...args: unknown[]): Promise<RawAck> {
  const wire: Socket = socket;
  return wire.timeout(ACK_TIMEOUT_MS).emitWithAck(event, ...args);
}
