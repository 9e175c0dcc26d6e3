import dgram from "node:dgram";
import { readFileSync } from "node:fs";

/**
 * Loopback UDP ports for the FFmpeg processes that read a track's RTP (the recorder's captures and
 * the live stream's feeds share one allocator, so they never hand out the same pair).
 *
 * Below Linux's ephemeral range (32768–60999), so sockets bound to port 0 elsewhere cannot take a
 * port between the check here and FFmpeg binding it. The random start spreads processes apart.
 */
const PORT_MIN = 20000;
const PORT_MAX = 32766;
let nextPort = PORT_MIN + 2 * Math.floor(Math.random() * ((PORT_MAX - PORT_MIN) / 2));

/** A free even UDP port on 127.0.0.1 whose odd neighbour (RTCP) is free too. */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = nextPort;
    nextPort = nextPort + 2 > PORT_MAX - 1 ? PORT_MIN : nextPort + 2;
    const free = await Promise.all(
      [port, port + 1].map(
        (candidate) =>
          new Promise<boolean>((resolve) => {
            const probe = dgram.createSocket("udp4");
            probe.once("error", () => resolve(false));
            probe.bind(candidate, "127.0.0.1", () => probe.close(() => resolve(true)));
          }),
      ),
    );
    if (free.every(Boolean)) return port;
  }
  throw new Error("no free loopback UDP port pair for FFmpeg");
}

/** The columns of /proc/net/udp's line for the socket bound to `port`, if any; undefined if unknown. */
function procUdpLine(port: number): string[] | null | undefined {
  try {
    const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
    for (const line of readFileSync("/proc/net/udp", "utf8").split("\n")) {
      const columns = line.trim().split(/\s+/);
      if (columns[1]?.endsWith(hex)) return columns;
    }
    return null;
  } catch {
    return undefined;
  }
}

/** Whether some process has bound 127.0.0.1:port for UDP (Linux /proc); undefined if unknown. */
export function udpBound(port: number): boolean | undefined {
  const columns = procUdpLine(port);
  return columns === undefined ? undefined : columns !== null;
}

/** Bytes waiting in the receive queue of the socket bound to 127.0.0.1:port (Linux /proc); undefined if unknown. */
export function udpQueued(port: number): number | undefined {
  const columns = procUdpLine(port);
  if (columns === undefined) return undefined;
  return columns ? Number.parseInt(columns[4]?.split(":")[1] ?? "0", 16) : 0;
}
