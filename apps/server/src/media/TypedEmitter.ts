import { EventEmitter } from "node:events";
import { defaultMediaLogger, type MediaLogger } from "./log.js";

/** Told about an error thrown by a listener; the emit itself carries on with the next listener. */
export type ListenerErrorHandler = (error: unknown, event: string, emitter: string) => void;

let fallbackLog: MediaLogger | undefined;
const reportToDefaultLogger: ListenerErrorHandler = (error, event, emitter) => {
  fallbackLog ??= defaultMediaLogger();
  fallbackLog.error({ err: error, event, emitter }, "a media event listener threw; the other listeners still ran");
};

let reportListenerError: ListenerErrorHandler = reportToDefaultLogger;

/** A handler that writes listener errors to a media logger. */
export function logListenerErrors(log: MediaLogger): ListenerErrorHandler {
  return (error, event, emitter) => log.error({ err: error, event, emitter }, "a media event listener threw; the other listeners still ran");
}

/**
 * Where errors thrown by media event listeners go (default: the default media logger; the app's
 * logger once createMediaService is given one). Returns the previous handler. Per module
 * instance, so per worker thread.
 */
export function setListenerErrorHandler(handler: ListenerErrorHandler | undefined): ListenerErrorHandler {
  const previous = reportListenerError;
  reportListenerError = handler ?? reportToDefaultLogger;
  return previous;
}

/** Calls one listener; what it throws is reported (setListenerErrorHandler), never rethrown. */
export function callListener<A>(listener: (arg: A) => void, arg: A, event: string, emitter: string): void {
  try {
    listener(arg);
  } catch (error) {
    report(error, event, emitter);
  }
}

function report(error: unknown, event: string, emitter: string): void {
  try {
    reportListenerError(error, event, emitter);
  } catch {
    // A failing reporter must not break the emit either.
  }
}

/**
 * An EventEmitter whose event names and listener arguments are typed by a map. A listener that
 * throws does not stop the emit (mediasoup's `safeEmit`): its error is reported and the next
 * listener runs, so a close cascade always reaches every child and every observer.
 */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  readonly #ee = new EventEmitter();

  constructor() {
    this.#ee.setMaxListeners(0);
  }

  on<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#ee.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#ee.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#ee.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  protected emit<K extends keyof Events & string>(event: K, ...args: Events[K]): void {
    // rawListeners is a copy (listeners added or removed meanwhile do not change this emit), and
    // calling a `once` wrapper removes it as EventEmitter.emit would.
    for (const listener of this.#ee.rawListeners(event)) {
      try {
        (listener as (...listenerArgs: unknown[]) => void).apply(this, args);
      } catch (error) {
        report(error, event, this.constructor.name);
      }
    }
  }

  listenerCount<K extends keyof Events & string>(event: K): number {
    return this.#ee.listenerCount(event);
  }

  removeAllListeners(): void {
    this.#ee.removeAllListeners();
  }
}
