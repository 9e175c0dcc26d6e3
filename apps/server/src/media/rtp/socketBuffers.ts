import type { Socket } from "node:dgram";
import type { RTCPeerConnection } from "werift";

/*
 * Kernel buffers of a peer connection's UDP sockets.
 *
 * A media worker reads every packet of its transports on one event loop. When that loop is held
 * up (other work on the thread, or the thread descheduled on a busy machine), the kernel queues
 * arriving datagrams in the socket's receive buffer and drops what does not fit. Linux's default
 * (net.core.rmem_default, 208 KiB) holds about 90 datagrams whatever their size (each is charged
 * its skb, ≈ 2.3 KiB): a publisher sending 300–500 packets a second overflows it after a stall of
 * 200–300 ms. Audio has no retransmission, so every dropped Opus packet is lost for every
 * subscriber. Larger buffers cost nothing while the loop keeps up (the kernel charges only what
 * is queued). The kernel caps the request at net.core.rmem_max / wmem_max.
 */

/** Internals of werift's ICE objects we reach into (not in its public types). */
interface WeriftProtocol {
  transport?: { socket?: Socket };
}
interface WeriftConnection {
  protocols?: WeriftProtocol[];
}

export interface SocketBufferSizes {
  /** Bytes requested for each socket's receive and send buffers. */
  requested: number;
  /** Receive buffer the kernel granted (its own accounting: Linux reports twice the request). */
  granted: number;
  sockets: number;
}

/** The UDP sockets werift opened for `pc`'s ICE candidates (after setLocalDescription). */
export function udpSocketsOf(pc: RTCPeerConnection): Socket[] {
  const sockets: Socket[] = [];
  for (const ice of pc.iceTransports) {
    const connection = ice.connection as unknown as WeriftConnection;
    for (const protocol of connection.protocols ?? []) {
      const socket = protocol.transport?.socket;
      if (socket && !sockets.includes(socket)) sockets.push(socket);
    }
  }
  return sockets;
}

/** Ask the kernel for `bytes` of receive and send buffer on every UDP socket of `pc`. */
export function enlargeSocketBuffers(pc: RTCPeerConnection, bytes: number): SocketBufferSizes {
  const sizes: SocketBufferSizes = { requested: bytes, granted: 0, sockets: 0 };
  if (bytes <= 0) return sizes;
  for (const socket of udpSocketsOf(pc)) {
    try {
      socket.setRecvBufferSize(bytes);
      socket.setSendBufferSize(bytes);
      const granted = socket.getRecvBufferSize();
      sizes.granted = sizes.sockets === 0 ? granted : Math.min(sizes.granted, granted);
      sizes.sockets++;
    } catch {
      // a socket closed meanwhile: nothing to enlarge
    }
  }
  return sizes;
}
