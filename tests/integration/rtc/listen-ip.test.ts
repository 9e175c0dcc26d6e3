/**
 * RTC_LISTEN_IP alone (no RTC_ANNOUNCED_IP): the media sockets listen on that address, and the
 * host candidates of the server's answers must name it too. With 127.0.0.1, werift used to gather
 * the machine's other interfaces' addresses (it never lists loopback) while binding the socket to
 * 127.0.0.1: the answer announced an address nothing listened on, and no client connected.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaStreamTrack, RTCPeerConnection } from "werift";
import { clientPcConfig, waitFor } from "../media/helpers/clients.js";
import { startInProcess, type MediaUnderTest } from "../media/helpers/modes.js";

/** "ip port" of every host candidate in an SDP. */
const hostCandidates = (sdp: string) =>
  [...sdp.matchAll(/^a=candidate:\S+ \d+ udp \d+ (\S+) (\d+) typ host/gim)].map((match) => ({ ip: match[1]!, port: Number(match[2]) }));

/** Whether a UDP socket is bound to ip:port (Linux's /proc/net/udp, addresses in little-endian hex). */
function udpListening(ip: string, port: number): boolean {
  const hexIp = ip
    .split(".")
    .reverse()
    .map((octet) => Number(octet).toString(16).padStart(2, "0"))
    .join("")
    .toUpperCase();
  const local = `${hexIp}:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  return readFileSync("/proc/net/udp", "utf8")
    .split("\n")
    .some((line) => line.trim().split(/\s+/)[1] === local);
}

describe("RTC_LISTEN_IP=127.0.0.1 without an announced address", () => {
  let sut: MediaUnderTest;
  const clients: { close(): Promise<unknown> }[] = [];

  beforeAll(async () => {
    sut = await startInProcess(58500, { MEDIA_WORKERS: "1", RTC_LISTEN_IP: "127.0.0.1" });
  });
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => {});
    await sut?.stop();
  });

  it("answers with host candidates on 127.0.0.1, where its socket listens, and a client connects", async () => {
    const roomId = "listen-ip-room";
    const peerId = "listen-ip-publisher";
    await sut.media.joinPeer(roomId, peerId, "listen-ip-user");
    const { transportId } = await sut.media.createTransport(roomId, peerId, "send");
    // The client offers a loopback candidate too (werift leaves loopback out by itself).
    const pc = new RTCPeerConnection({ ...clientPcConfig(), iceAdditionalHostAddresses: ["127.0.0.1"] });
    clients.push(pc);
    pc.addTransceiver(new MediaStreamTrack({ kind: "video" }), { direction: "sendonly" });
    await pc.setLocalDescription(await pc.createOffer());
    const res = await sut.media.connectTransport(roomId, peerId, transportId, { type: "offer", sdp: pc.localDescription!.sdp });
    const answer = res.answer!;
    const candidates = hostCandidates(answer.sdp);
    expect(candidates.length, answer.sdp).toBeGreaterThan(0);
    for (const candidate of candidates) {
      expect(candidate.ip, answer.sdp).toBe("127.0.0.1");
      expect(udpListening(candidate.ip, candidate.port), `nothing listens on ${candidate.ip}:${candidate.port}`).toBe(true);
    }
    await pc.setRemoteDescription(answer);
    await waitFor("the client to connect to the node", () => pc.connectionState === "connected", 60_000);
  }, 60_000);
});
