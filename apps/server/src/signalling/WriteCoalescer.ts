import type { Socket as NetSocket } from "node:net";
import { performance } from "node:perf_hooks";
import type { Server } from "socket.io";

/** The part of engine.io's server this uses: its documented `flush` event (engine socket, packets). */
interface EngineServer {
  on(event: "flush", fn: (conn: unknown) => void): unknown;
  off(event: "flush", fn: (conn: unknown) => void): unknown;
}

/**
 * The TCP socket under an engine.io connection on the WebSocket transport, or undefined (long
 * polling, or engine.io/ws internals not shaped as expected: then nothing is coalesced).
 * engine.io keeps the `ws` WebSocket as `transport.socket`, and `ws` its net.Socket as `_socket`.
 */
function tcpOf(conn: unknown): NetSocket | undefined {
  const transport = (conn as { transport?: { name?: unknown; socket?: { _socket?: unknown } } } | undefined)?.transport;
  if (transport?.name !== "websocket") return undefined;
  const tcp = transport.socket?._socket as NetSocket | undefined;
  return tcp && typeof tcp.cork === "function" && typeof tcp.uncork === "function" && !tcp.destroyed ? tcp : undefined;
}

/** The options Socket.IO's adapter passes with a broadcast packet (one encoding for every recipient). */
interface BroadcastOptions {
  volatile?: boolean;
  /** The WebSocket frame (header, payload) Socket.IO computed once for the whole broadcast. */
  wsPreEncodedFrame?: Buffer[];
}

/** The parts of a Socket.IO Client (`socket.client`) and its engine.io connection this uses. */
interface SocketIoClient {
  conn: unknown;
  writeToEngine(encodedPackets: unknown, opts: BroadcastOptions): void;
}

interface WsConnection {
  readyState?: unknown;
  writeBuffer?: { length: number };
  transport?: {
    name?: unknown;
    perMessageDeflate?: unknown;
    socket?: { readyState?: unknown; _sender?: { sendFrame?: unknown }; _socket?: unknown };
  };
}

const WS_OPEN = 1;

/**
 * The shortest time between two releases of the corked sockets. Under load one socket write
 * carries the frames of every message of that span; when idle nothing waits (see `holdTcp`).
 */
export const RELEASE_INTERVAL_MS = 15;

/**
 * A release (one `writev` per held socket: the kernel's TCP work, synchronous) may take at most
 * this share of the event loop's time: after a release that took `d` ms the next waits at least
 * `d / RELEASE_DUTY_CYCLE` ms (DECISIONS 21). With 1,000 sockets a release costs milliseconds, so
 * under load the interval grows and each write carries more messages instead of the loop
 * spending itself on system calls while acks, `/health` and the database wait.
 */
export const RELEASE_DUTY_CYCLE = 0.25;

/** The longest a frame waits for a release however long the last one took. */
export const MAX_RELEASE_INTERVAL_MS = 60;

/**
 * Coalesces the frames a connection is sent during one turn of the event loop into one write.
 *
 * Without it every Socket.IO packet leaves in a `writev` of its own (one system call per
 * frame per socket): a chat message to a class of 500 is 500 system calls, and ten messages in
 * the same turn are 5,000. Here the first flush of a connection in a turn corks its TCP socket
 * and one `setImmediate` uncorks every corked socket, so all frames of that turn leave in a
 * single `writev` per socket. The delay is at most the rest of the current loop turn — or, when
 * the previous release was less than RELEASE_INTERVAL_MS ago, until that interval has passed. While a
 * socket is corked engine.io queues further packets in its own write buffer (its transport is
 * not writable until the previous write completes); they are flushed, corked again, and leave
 * together at the next turn. Under load, a turn carries many messages and the system calls per
 * message fall accordingly; when idle, a message costs what it did before.
 */
export class WriteCoalescer {
  private readonly corked = new Set<NetSocket>();
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private lastRelease = Number.NEGATIVE_INFINITY;
  /** The minimum wait after the last release (RELEASE_INTERVAL_MS, or more after a long release). */
  private interval = RELEASE_INTERVAL_MS;
  private readonly onFlush = (conn: unknown) => this.hold(conn);

  constructor(private readonly engine: EngineServer) {
    engine.on("flush", this.onFlush);
  }

  /**
   * Installs one on `io`'s engine (none when the server is not attached to an HTTP server), and
   * gives every connection of `io` the short broadcast path (`direct`).
   */
  static install(io: Server): WriteCoalescer | undefined {
    const engine = (io as unknown as { engine?: EngineServer }).engine;
    if (!engine || typeof engine.on !== "function") return undefined;
    const coalescer = new WriteCoalescer(engine);
    io.on("connection", (socket) => coalescer.direct(socket.client as unknown as SocketIoClient));
    return coalescer;
  }

  /**
   * The short path for a broadcast frame (docs/DECISIONS.md 18). Socket.IO encodes a broadcast
   * once, as a WebSocket frame shared by every recipient, then hands it to each recipient's
   * engine.io connection, which wraps it in a packet object, emits four events, queues it,
   * flushes it, asks `ws` to write it with a completion callback, and on that callback emits
   * two more events — per recipient. When the connection is an open WebSocket with nothing queued
   * in engine.io (so nothing written here can overtake an earlier packet), the frame goes straight
   * to `ws`'s sender instead, into the TCP socket corked for this turn, without a callback.
   * Everything else (long polling, a packet already waiting, volatile or binary packets, a
   * connection closing) takes engine.io's path as before. What the client receives is the same
   * bytes in the same order.
   */
  direct(client: SocketIoClient) {
    const engineWrite = client.writeToEngine.bind(client);
    client.writeToEngine = (encodedPackets, opts) => {
      const frame = opts?.wsPreEncodedFrame;
      if (frame && !opts.volatile && this.writeFrame(client.conn as WsConnection, frame)) return;
      engineWrite(encodedPackets, opts);
    };
  }

  /** Writes a pre-encoded frame straight to the connection's WebSocket; false when it may not. */
  private writeFrame(conn: WsConnection, frame: Buffer[]): boolean {
    if (conn.readyState !== "open" || conn.writeBuffer?.length !== 0) return false;
    const transport = conn.transport;
    if (transport?.name !== "websocket" || transport.perMessageDeflate) return false;
    const ws = transport.socket;
    const sender = ws?._sender as { sendFrame?: (list: Buffer[]) => void } | undefined;
    const tcp = ws?._socket as NetSocket | undefined;
    if (ws?.readyState !== WS_OPEN || typeof sender?.sendFrame !== "function" || !tcp || tcp.destroyed || typeof tcp.cork !== "function") return false;
    this.holdTcp(tcp);
    sender.sendFrame(frame);
    return true;
  }

  private hold(conn: unknown) {
    const tcp = tcpOf(conn);
    if (tcp) this.holdTcp(tcp);
  }

  private holdTcp(tcp: NetSocket) {
    if (this.corked.has(tcp)) return;
    tcp.cork();
    this.corked.add(tcp);
    if (!this.scheduled) {
      this.scheduled = true;
      // At most one release per RELEASE_INTERVAL_MS: when frames flow faster than that, the
      // frames of several messages share a socket's write (DECISIONS 20). After a quiet spell
      // the release is at the end of this turn, as before.
      const wait = this.lastRelease + this.interval - performance.now();
      if (wait > 0) this.timer = setTimeout(this.release, wait);
      else setImmediate(this.release);
    }
  }

  private readonly release = () => {
    if (!this.scheduled) return;
    this.scheduled = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const started = performance.now();
    const sockets = [...this.corked];
    this.corked.clear();
    for (const tcp of sockets) tcp.uncork();
    this.lastRelease = performance.now();
    const took = this.lastRelease - started;
    this.interval = Math.min(MAX_RELEASE_INTERVAL_MS, Math.max(RELEASE_INTERVAL_MS, took / RELEASE_DUTY_CYCLE - took));
  };

  /** Stops coalescing; frames held now leave at once. */
  close() {
    this.engine.off("flush", this.onFlush);
    this.release();
  }
}
