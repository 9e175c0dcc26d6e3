/**
 * A Socket.IO client for the chat benchmark's load generator that costs the generator little
 * per delivery, so that 1,000 sockets on a 2-core machine measure the server, not the client.
 *
 * It speaks the wire protocol itself (Engine.IO 4 over a WebSocket, Socket.IO 5 text packets):
 * `0{…}` open, `40{auth}` connect to "/", `2`/`3` ping/pong, `42<id>[event, payload]` emit with
 * ack, `43<id>[answer]` ack. Arriving events are not JSON-decoded: a listener for one event
 * name gets the frame's bytes and reads what it needs from them (the chat benchmark reads its
 * send time out of the text). socket.io-client decodes every frame into objects first, ≈ 10 µs
 * of the generator's CPU per delivery, which at 1,000 sockets × 3 messages each over 20 s
 * (150,000 deliveries/s) needs more CPU than the machine has.
 */
import WebSocket from "ws";

type Ack = (answer: unknown) => void;

export class LeanSocket {
  readonly #ws: WebSocket;
  readonly #acks = new Map<number, Ack>();
  readonly #frameListeners: { prefix: Buffer; listener: (frame: Buffer) => void }[] = [];
  #nextAck = 0;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
  }

  /** Opens the WebSocket and connects to the "/" namespace with `auth`; rejects on a refusal. */
  static connect(url: string, auth: Record<string, unknown>, timeoutMs = 60_000): Promise<LeanSocket> {
    const wsUrl = `${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    const socket = new LeanSocket(ws);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error("connect timed out")), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      ws.once("error", fail);
      ws.on("message", (data: Buffer) => {
        const first = data[0];
        if (first === 0x30 /* 0: open */) ws.send(`40${JSON.stringify(auth)}`);
        else if (first === 0x34 /* 4: message */ && data[1] === 0x30 /* 0: connect */) {
          clearTimeout(timer);
          ws.off("error", fail);
          ws.on("error", () => undefined);
          resolve(socket);
        } else if (first === 0x34 && data[1] === 0x34 /* 4: connect_error */) fail(new Error(`connect refused: ${data.toString("utf8", 2)}`));
        else socket.#onFrame(data);
      });
    });
  }

  /** Emits `event` and resolves with the server's acknowledgement (or rejects after `timeoutMs`). */
  emitWithAck(event: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    const id = this.#nextAck++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#acks.delete(id);
        reject(new Error(`${event}: no acknowledgement in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#acks.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.#ws.send(`42${id}${JSON.stringify([event, payload])}`);
    });
  }

  /** Calls `listener` with the raw frame of every arriving `event` (not decoded). */
  onEventFrame(event: string, listener: (frame: Buffer) => void): void {
    this.#frameListeners.push({ prefix: Buffer.from(`42[${JSON.stringify(event)}`), listener });
  }

  close(): void {
    this.#ws.close();
  }

  #onFrame(data: Buffer): void {
    if (data.length === 1 && data[0] === 0x32 /* 2: ping */) {
      this.#ws.send("3");
      return;
    }
    for (const { prefix, listener } of this.#frameListeners) {
      if (data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0) {
        listener(data);
        return;
      }
    }
    if (data[0] === 0x34 && data[1] === 0x33 /* 43: ack */) {
      const open = data.indexOf(0x5b /* [ */, 2);
      const id = Number(data.toString("latin1", 2, open));
      const ack = this.#acks.get(id);
      if (!ack) return;
      this.#acks.delete(id);
      ack((JSON.parse(data.toString("utf8", open)) as unknown[])[0]);
    }
  }
}

/** Reads the number that follows `marker` in `frame` (up to the next space or quote), or NaN. */
export function numberAfter(frame: Buffer, marker: Buffer): number {
  const at = frame.indexOf(marker);
  if (at < 0) return Number.NaN;
  const start = at + marker.length;
  let end = start;
  while (end < frame.length && frame[end] !== 0x20 && frame[end] !== 0x22) end++;
  return Number(frame.toString("latin1", start, end));
}
