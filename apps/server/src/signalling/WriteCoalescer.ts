import type { Socket as NetSocket } from "node:net";
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

/**
 * Coalesces the frames a connection is sent during one turn of the event loop into one write.
 *
 * Without it every Socket.IO packet leaves in a `writev` of its own (one system call per
 * frame per socket): a chat message to a class of 500 is 500 system calls, and ten messages in
 * the same turn are 5,000. Here the first flush of a connection in a turn corks its TCP socket
 * and one `setImmediate` uncorks every corked socket, so all frames of that turn leave in a
 * single `writev` per socket. The delay is at most the rest of the current loop turn. While a
 * socket is corked engine.io queues further packets in its own write buffer (its transport is
 * not writable until the previous write completes); they are flushed, corked again, and leave
 * together at the next turn. Under load, a turn carries many messages and the system calls per
 * message fall accordingly; when idle, a message costs what it did before.
 */
export class WriteCoalescer {
  private readonly corked = new Set<NetSocket>();
  private scheduled = false;
  private readonly onFlush = (conn: unknown) => this.hold(conn);

  constructor(private readonly engine: EngineServer) {
    engine.on("flush", this.onFlush);
  }

  /** Installs one on `io`'s engine (none when the server is not attached to an HTTP server). */
  static install(io: Server): WriteCoalescer | undefined {
    const engine = (io as unknown as { engine?: EngineServer }).engine;
    return engine && typeof engine.on === "function" ? new WriteCoalescer(engine) : undefined;
  }

  private hold(conn: unknown) {
    const tcp = tcpOf(conn);
    if (!tcp || this.corked.has(tcp)) return;
    tcp.cork();
    this.corked.add(tcp);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.release);
    }
  }

  private readonly release = () => {
    this.scheduled = false;
    const sockets = [...this.corked];
    this.corked.clear();
    for (const tcp of sockets) tcp.uncork();
  };

  /** Stops coalescing; frames held now leave at once. */
  close() {
    this.engine.off("flush", this.onFlush);
    this.release();
  }
}
