/**
 * Without STUN_URLS the media node gathers host candidates only: werift on its own asks
 * stun.l.google.com for a server-reflexive candidate and waits for it (5 s where the name resolves
 * but nothing answers) — every transport of the SFU and of the recorder took 5 s to set up, and the
 * node told Google about each one. Here the name "resolves" to an address where nothing answers,
 * as on a server whose outbound UDP is filtered; the node must not ask for it at all.
 */
import dns from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaStreamTrack, RTCPeerConnection } from "werift";
import { clientPcConfig, waitFor } from "../media/helpers/clients.js";
import { startInProcess, type MediaUnderTest } from "../media/helpers/modes.js";

describe("no STUN server configured", () => {
  let sut: MediaUnderTest;
  const lookups: string[] = [];
  const lookup = dns.promises.lookup;
  const pcs: RTCPeerConnection[] = [];

  beforeAll(async () => {
    // werift resolves the STUN server's name with dns.promises.lookup; this process's media
    // worker runs inline (MEDIA_WORKER_MODE=inline), so it resolves through here.
    const blackHole = async (host: string, options?: unknown) => {
      lookups.push(host);
      if (host === "stun.l.google.com") return { address: "198.51.100.7", family: 4 };
      return (lookup as (host: string, options?: unknown) => Promise<unknown>)(host, options);
    };
    Object.assign(dns.promises, { lookup: blackHole });
    sut = await startInProcess(58700, { MEDIA_WORKERS: "1", MEDIA_WORKER_MODE: "inline" });
  });
  afterAll(async () => {
    Object.assign(dns.promises, { lookup });
    for (const pc of pcs) await pc.close().catch(() => {});
    await sut?.stop();
  });

  it("answers with host candidates without asking a public STUN server, and a client connects", async () => {
    const roomId = "no-stun-room";
    const peerId = "no-stun-publisher";
    await sut.media.joinPeer(roomId, peerId, "no-stun-user");
    const { transportId } = await sut.media.createTransport(roomId, peerId, "send");
    const pc = new RTCPeerConnection(clientPcConfig());
    pcs.push(pc);
    pc.addTransceiver(new MediaStreamTrack({ kind: "video" }), { direction: "sendonly" });
    await pc.setLocalDescription(await pc.createOffer());
    const res = await sut.media.connectTransport(roomId, peerId, transportId, { type: "offer", sdp: pc.localDescription!.sdp });
    expect(res.answer!.sdp).toMatch(/^a=candidate:\S+ \d+ udp \d+ \S+ \d+ typ host/m);
    await pc.setRemoteDescription(res.answer!);
    await waitFor("the client to connect to the node", () => pc.connectionState === "connected", 60_000);
    expect(lookups.filter((host) => host === "stun.l.google.com")).toEqual([]);
  }, 90_000);
});
