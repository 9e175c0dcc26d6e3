import type { Socket } from "socket.io-client";
import type {
  ClientEventName,
  ClientToServerEvents,
  ErrorBody,
  EventPayload,
  EventResult,
  ServerToClientEvents,
} from "@vtp/protocol";

/**
 * Socket events in tests, typed from the protocol's event maps (packages/protocol/src/events.ts):
 * an event name, a payload field or an ack field that the protocol does not have fails the
 * type-check of the tests.
 */

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * An ack as a test reads it: `ok`, and both the result's fields (typed from the event's result
 * schema) and `error`, so that a test asserts on the side it expects without narrowing first.
 * The other side is undefined at run time and fails the assertion.
 */
export type TestAck<E extends ClientEventName> = { ok: boolean; error: ErrorBody } & EventResult<E>;

/** The payload argument of event `E`: optional when an empty payload is valid for it. */
export type PayloadArgs<E extends ClientEventName> = {} extends EventPayload<E> ? [payload?: EventPayload<E>] : [payload: EventPayload<E>];

/** The ack of a failed event, or of an event sent with a malformed payload (see `rawAckOf`). */
export type RawAck = { ok: boolean; error: ErrorBody } & Record<string, unknown>;

const ACK_TIMEOUT_MS = 15_000;

/** Sends `event` with its payload and resolves with its ack (fails after `timeoutMs` without one). */
export function ackOf<E extends ClientEventName>(socket: ClientSocket, event: E, payload: EventPayload<E>, timeoutMs = ACK_TIMEOUT_MS): Promise<TestAck<E>> {
  // Socket.IO's typings cannot pair an event name that is a type parameter with its arguments:
  // this function's signature types them from the protocol's map instead.
  const wire: Socket = socket;
  return wire.timeout(timeoutMs).emitWithAck(event, payload);
}

/** `ackOf` where an empty payload is valid for the event and may be left out (sent as no argument at all). */
export function ackOfMaybeEmpty<E extends ClientEventName>(socket: ClientSocket, event: E, ...payload: PayloadArgs<E>): Promise<TestAck<E>> {
  const wire: Socket = socket;
  return wire.timeout(ACK_TIMEOUT_MS).emitWithAck(event, ...payload);
}

/**
 * For tests of bad input only: any event name and any arguments (a malformed payload, none,
 * several), resolving with the ack as it came.
 */
export function rawAckOf(socket: ClientSocket, event: string, ...args: unknown[]): Promise<RawAck> {
  const wire: Socket = socket;
  return wire.timeout(ACK_TIMEOUT_MS).emitWithAck(event, ...args);
}
