import type { PeerConfig } from "werift";

/**
 * werift's ICE options for the media sockets' address (RTC_LISTEN_IP). werift binds its sockets
 * to `iceInterfaceAddresses` but takes its host candidates from the machine's interfaces (never
 * loopback), falling back to all of them when the listen address is none of those: with
 * RTC_LISTEN_IP=127.0.0.1 the socket listened on 127.0.0.1 while the candidate named another
 * address (192.0.2.2 was seen), and no client connected. With a specific listen address, the one
 * host candidate is that address, the one its socket listens on (RTC_ANNOUNCED_IP, when set,
 * still replaces it in the SDP). Without one (or 0.0.0.0) the sockets listen everywhere and every
 * interface's address is a candidate, as before.
 */
export function iceListenOptions(listenIp: string | undefined): Partial<PeerConfig> {
  if (!listenIp || listenIp === "0.0.0.0") return {};
  return { iceInterfaceAddresses: { udp4: listenIp }, iceUseIpv4: false, iceAdditionalHostAddresses: [listenIp] };
}
