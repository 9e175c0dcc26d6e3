/**
 * Simulcast through the real server, with real Chromium on both ends (werift cannot send
 * simulcast): a publisher page sends the fake camera at 1280×720 as three layers (rid l/m/h),
 * a subscriber page consumes it, and `set-preferred-layer` moves the subscriber between layers.
 *
 * The pages only do RTCPeerConnection work (page.evaluate); the Socket.IO signalling is driven
 * from Node with socket.io-client (the server does not serve the client script). The expected
 * widths are read from the publisher's own outbound-rtp stats per rid: Chromium may send a layer
 * at a lower resolution (CPU) or not at all (bandwidth) on a loaded machine.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { io } from "socket.io-client";
import type { ClientEventName, EventPayload } from "@vtp/protocol";
import { ackOf, rawAckOf, type ClientSocket, type RawAck, type TestAck } from "../../helpers/socket";
import { chromiumMissing, newContext, verifiedUser, webE2E, type Server } from "../web/harness";
import { sleep } from "../../helpers/wait.js";

const skip = chromiumMissing();
if (skip) console.warn(`SKIPPED Chromium simulcast test: ${skip}`);

interface Client {
  sock: ClientSocket;
  ack<E extends ClientEventName>(event: E, payload: EventPayload<E>): Promise<TestAck<E>>;
  /** For bad input only: any payload. */
  ackRaw(event: ClientEventName, payload: unknown): Promise<RawAck>;
  ok<E extends ClientEventName>(event: E, payload: EventPayload<E>): Promise<TestAck<E>>;
}

async function connect(server: Server, who: { email: string; password: string }): Promise<Client> {
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: who.email, password: who.password }),
  }).then((res) => res.json());
  const sock: ClientSocket = io(server.url, { auth: { token: login.accessToken }, transports: ["websocket"] });
  await new Promise<void>((resolve, reject) => {
    sock.once("connect", () => resolve());
    sock.once("connect_error", reject);
  });
  const ack = <E extends ClientEventName>(event: E, payload: EventPayload<E>) => ackOf(sock, event, payload, 30_000);
  const ackRaw = (event: ClientEventName, payload: unknown) => rawAckOf(sock, event, payload);
  const ok = async <E extends ClientEventName>(event: E, payload: EventPayload<E>) => {
    const reply = await ack(event, payload);
    if (!reply.ok) throw new Error(`${event} failed: ${JSON.stringify(reply.error)}`);
    return reply;
  };
  return { sock, ack, ackRaw, ok };
}

interface OutboundLayer {
  rid: string;
  frameWidth: number;
  framesEncoded: number;
  active: boolean;
}
interface InboundVideo {
  frameWidth: number;
  framesDecoded: number;
  keyFramesDecoded: number;
}

/** The fields of an RTCStats entry these tests read. */
type StatsEntry = {
  type: string;
  kind?: string;
  rid?: string;
  frameWidth?: number;
  framesEncoded?: number;
  framesDecoded?: number;
  keyFramesDecoded?: number;
  active?: boolean;
  codecId?: string;
};

async function outbound(page: Page): Promise<OutboundLayer[]> {
  return page.evaluate(async () => {
    const pc = (window as unknown as { __pc: RTCPeerConnection }).__pc as RTCPeerConnection;
    const out: OutboundLayer[] = [];
    (await pc.getStats()).forEach((s: StatsEntry) => {
      if (s.type === "outbound-rtp" && s.kind === "video") {
        out.push({ rid: s.rid ?? "", frameWidth: s.frameWidth ?? 0, framesEncoded: s.framesEncoded ?? 0, active: s.active !== false });
      }
    });
    return out;
  });
}

async function inbound(page: Page): Promise<InboundVideo | undefined> {
  return page.evaluate(async () => {
    const pc = (window as unknown as { __pc: RTCPeerConnection }).__pc as RTCPeerConnection;
    let inboundVideo: InboundVideo | undefined;
    (await pc.getStats()).forEach((s: StatsEntry) => {
      if (s.type === "inbound-rtp" && s.kind === "video")
        inboundVideo = { frameWidth: s.frameWidth ?? 0, framesDecoded: s.framesDecoded ?? 0, keyFramesDecoded: s.keyFramesDecoded ?? 0 };
    });
    return inboundVideo;
  });
}

// Both forwarding paths (docs/MEDIA.md): the fast path (default) and werift's RTCRtpSender.sendRtp.
for (const fastPath of ["1", "0"] as const)
  describe.skipIf(Boolean(skip))(`simulcast in real Chromium (MEDIA_FAST_PATH=${fastPath}): three layers in, the layer each consumer asks for out`, () => {
    const web = webE2E({ MEDIA_FAST_PATH: fastPath });
    const contexts: BrowserContext[] = [];
    const clients: Client[] = [];
    // Runs before webE2E's own after-all (Vitest runs them last-registered first).
    afterAll(async () => {
      for (const c of clients) c.sock.close();
      for (const c of contexts) await c.close().catch(() => {});
      if (process.env.VTP_E2E_DEBUG) console.log(web.server?.output());
    });

    async function blankPage(): Promise<Page> {
      const ctx = await newContext(web.browser, web.server.url);
      contexts.push(ctx);
      const page = await ctx.newPage();
      await page.goto("/api/v1/health"); // a same-origin secure context (127.0.0.1) for getUserMedia
      return page;
    }

    it("publishes l/m/h from Chromium; the subscriber decodes the preferred layer after each switch (l → h → m) without freezing; bad requests get error acks", async () => {
      const [teacher, student] = await Promise.all([
        verifiedUser(web.server, "teacher", "Sam Simulcast"),
        verifiedUser(web.server, "student", "Sue Subscriber"),
      ]);
      const host = await connect(web.server, teacher);
      clients.push(host);
      const created = await fetch(`${web.server.url}/api/v1/rooms`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${(host.sock.auth as { token: string }).token}` },
        body: JSON.stringify({ title: "Simulcast" }),
      }).then((res) => res.json());
      const roomId: string = created.room.id;
      await host.ok("join-room", { roomId });

      // --- publisher: the fake camera at 1280×720 as three simulcast layers ---
      const pub = await blankPage();
      const sendT = await host.ok("create-transport", { direction: "send" });
      const offer = await pub.evaluate(async () => {
        const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 30 } });
        const pc = new RTCPeerConnection();
        (window as unknown as { __pc: RTCPeerConnection }).__pc = pc;
        const transceiver = pc.addTransceiver(stream.getVideoTracks()[0], {
          direction: "sendonly",
          sendEncodings: [
            { rid: "l", scaleResolutionDownBy: 4 },
            { rid: "m", scaleResolutionDownBy: 2 },
            { rid: "h", scaleResolutionDownBy: 1 },
          ],
        });
        await pc.setLocalDescription(await pc.createOffer());
        return { sdp: pc.localDescription!.sdp, mid: transceiver.mid! };
      });
      expect(offer.sdp).toMatch(/a=simulcast:send l;m;h/);
      const connected = await host.ok("connect-transport", { transportId: sendT.transportId, description: { type: "offer", sdp: offer.sdp } });
      expect(connected.answer?.sdp, "the server accepts the three layers").toMatch(/a=simulcast:recv l;m;h/);
      await pub.evaluate((sdp) => (window as unknown as { __pc: RTCPeerConnection }).__pc.setRemoteDescription({ type: "answer", sdp }), connected.answer?.sdp);
      const { producerId } = await host.ok("produce", { transportId: sendT.transportId, kind: "video", source: "camera", mid: offer.mid });

      // --- subscriber ---
      const sub = await blankPage();
      const viewer = await connect(web.server, student);
      clients.push(viewer);
      await viewer.ok("join-room", { roomId });
      const recvT = await viewer.ok("create-transport", { direction: "recv" });
      expect(recvT.producers.map((p: { producerId: string }) => p.producerId)).toContain(producerId);
      const layersInfo = recvT.producers.find((p) => p.producerId === producerId)?.layers;
      const consumed = await viewer.ok("consume", { producerId, transportId: recvT.transportId });
      const answer = await sub.evaluate(async (sdp) => {
        const pc = new RTCPeerConnection();
        (window as unknown as { __pc: RTCPeerConnection }).__pc = pc;
        await pc.setRemoteDescription({ type: "offer", sdp });
        await pc.setLocalDescription(await pc.createAnswer());
        return pc.localDescription!.sdp;
      }, consumed.offer.sdp);
      await viewer.ok("connect-transport", { transportId: recvT.transportId, description: { type: "answer", sdp: answer } });
      const consumerId: string = consumed.consumerId;

      // The publisher sends layers; wait until Chromium encodes them (its bandwidth estimate ramps up).
      let layers: OutboundLayer[] = [];
      for (let i = 0; i < 120; i++) {
        layers = (await outbound(pub)).filter((l) => l.framesEncoded > 0 && l.frameWidth > 0);
        if (layers.length === 3) break;
        await sleep(250);
      }
      console.log(`publisher layers: ${JSON.stringify(layers)}; producer layers (server): ${JSON.stringify(layersInfo)}`);
      expect(layers.map((l) => l.rid).sort(), `Chromium encodes at least l and m: ${JSON.stringify(layers)}`).toEqual(expect.arrayContaining(["l", "m"]));

      /** The width the publisher currently encodes layer `rid` at (undefined: not sent). */
      const widthOf = async (rid: string) => (await outbound(pub)).find((l) => l.rid === rid && l.framesEncoded > 0)?.frameWidth;

      // Without a preference the server picks a layer by itself: the subscriber decodes one of them.
      let first: InboundVideo | undefined;
      for (let i = 0; i < 120; i++) {
        first = await inbound(sub);
        if (first && first.framesDecoded > 5 && first.frameWidth > 0) break;
        await sleep(250);
      }
      const widths = (await outbound(pub)).map((l) => l.frameWidth).filter((w) => w > 0);
      expect(first?.framesDecoded ?? 0, `subscriber decodes without a preference: ${JSON.stringify(first)}`).toBeGreaterThan(5);
      expect(widths, `the decoded width ${first?.frameWidth} is one of the published layers ${JSON.stringify(widths)}`).toContain(first!.frameWidth);

      /**
       * Prefer `layer`, then wait until the subscriber decodes frames of that layer's width (as the
       * publisher encodes it now), and check frames keep being decoded across the switch.
       */
      const switchTo = async (layer: "l" | "m" | "h") => {
        const before = (await inbound(sub))!;
        const reply = await viewer.ack("set-preferred-layer", { consumerId, layer });
        expect(reply.ok, `set-preferred-layer ${layer}: ${JSON.stringify(reply)}`).toBe(true);
        let now: InboundVideo | undefined;
        let expected: number | undefined;
        let settled = false;
        let minDelta = Infinity;
        let last = before;
        for (let i = 0; i < 160 && !settled; i++) {
          await sleep(250);
          expected = await widthOf(layer);
          now = (await inbound(sub))!;
          minDelta = Math.min(minDelta, now.framesDecoded - last.framesDecoded);
          last = now;
          settled = expected !== undefined && now.frameWidth === expected;
        }
        expect(settled, `after preferring "${layer}" the subscriber decodes its width ${expected}: ${JSON.stringify(now)}`).toBe(true);
        // Still decoding after the switch: frames keep rising (no freeze).
        const at = (await inbound(sub))!;
        let later = at;
        for (let i = 0; i < 40 && later.framesDecoded < at.framesDecoded + 15; i++) {
          await sleep(250);
          later = (await inbound(sub))!;
        }
        expect(later.framesDecoded, `frames keep being decoded on layer "${layer}"`).toBeGreaterThanOrEqual(at.framesDecoded + 15);
        // Still on that layer — unless the publisher stopped sending it meanwhile (Chromium drops
        // its top layer for a while when its CPU is short, as on a loaded CI machine), in which case
        // the server moves the consumer to a layer that flows (Consumer.adapt): no freeze either way.
        if (later.frameWidth !== expected) {
          const published = (await outbound(pub)).map((l) => l.frameWidth).filter((w) => w > 0);
          console.log(
            `after preferring "${layer}" (${expected}) the subscriber went on at ${later.frameWidth}; publisher layers now: ${JSON.stringify(await outbound(pub))}`,
          );
          expect(published, "the width decoded is one the publisher sends").toContain(later.frameWidth);
          expect(later.frameWidth).toBeLessThan(expected!);
        }
        expect(at.framesDecoded, "frames decoded across the switch").toBeGreaterThan(before.framesDecoded);
        return { layer, width: expected, minDelta };
      };

      const results = [];
      results.push(await switchTo("l"));
      // "h" only if Chromium sends it on this machine; otherwise the highest it does send.
      results.push(await switchTo((await widthOf("h")) ? "h" : "m"));
      results.push(await switchTo("m"));
      console.log(`layer switches: ${JSON.stringify(results)}`);
      const lw = results[0].width!;
      expect(results[2].width!, "m is wider than l").toBeGreaterThan(lw);
      if (results[1].layer === "h") expect(results[1].width!, "h is wider than m").toBeGreaterThan(results[2].width!);

      // Errors: a bad layer, an unknown consumer.
      const bad = await viewer.ackRaw("set-preferred-layer", { consumerId, layer: "x" });
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.code).toBe("VALIDATION_FAILED");
      const unknown = await viewer.ack("set-preferred-layer", { consumerId: "00000000-0000-4000-8000-000000000000", layer: "l" });
      expect(unknown.ok).toBe(false);
      if (!unknown.ok) expect(unknown.error.code).toBe("CONSUMER_NOT_FOUND");
    }, 240_000);

    it("H.264: a Chromium camera sent as H.264 is decoded by a Chromium subscriber (codec video/H264 in getStats)", async () => {
      const [teacher, student] = await Promise.all([verifiedUser(web.server, "teacher", "Hal H264"), verifiedUser(web.server, "student", "Ida Viewer")]);
      const host = await connect(web.server, teacher);
      clients.push(host);
      const created = await fetch(`${web.server.url}/api/v1/rooms`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${(host.sock.auth as { token: string }).token}` },
        body: JSON.stringify({ title: "H.264" }),
      }).then((res) => res.json());
      const roomId: string = created.room.id;
      await host.ok("join-room", { roomId });
      const pub = await blankPage();
      const sendT = await host.ok("create-transport", { direction: "send" });
      const offer = await pub.evaluate(async () => {
        const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
        const pc = new RTCPeerConnection();
        (window as unknown as { __pc: RTCPeerConnection }).__pc = pc;
        const transceiver = pc.addTransceiver(stream.getVideoTracks()[0], { direction: "sendonly" });
        const h264 = RTCRtpSender.getCapabilities("video")!.codecs.filter((c) => /h264/i.test(c.mimeType) && /packetization-mode=1/.test(c.sdpFmtpLine ?? ""));
        if (h264.length === 0) throw new Error("this Chromium cannot send H.264");
        transceiver.setCodecPreferences(h264);
        await pc.setLocalDescription(await pc.createOffer());
        return { sdp: pc.localDescription!.sdp, mid: transceiver.mid! };
      });
      const connected = await host.ok("connect-transport", { transportId: sendT.transportId, description: { type: "offer", sdp: offer.sdp } });
      await pub.evaluate((sdp) => (window as unknown as { __pc: RTCPeerConnection }).__pc.setRemoteDescription({ type: "answer", sdp }), connected.answer?.sdp);
      const { producerId } = await host.ok("produce", { transportId: sendT.transportId, kind: "video", source: "camera", mid: offer.mid });

      const sub = await blankPage();
      const viewer = await connect(web.server, student);
      clients.push(viewer);
      await viewer.ok("join-room", { roomId });
      const recvT = await viewer.ok("create-transport", { direction: "recv" });
      expect(recvT.producers.find((p) => p.producerId === producerId)?.codec?.toLowerCase()).toBe("video/h264");
      const consumed = await viewer.ok("consume", { producerId, transportId: recvT.transportId });
      expect(consumed.offer.sdp).toMatch(/a=rtpmap:\d+ H264\/90000/i);
      expect(consumed.offer.sdp).not.toMatch(/a=rtpmap:\d+ VP8\/90000/i);
      const answer = await sub.evaluate(async (sdp) => {
        const pc = new RTCPeerConnection();
        (window as unknown as { __pc: RTCPeerConnection }).__pc = pc;
        await pc.setRemoteDescription({ type: "offer", sdp });
        await pc.setLocalDescription(await pc.createAnswer());
        return pc.localDescription!.sdp;
      }, consumed.offer.sdp);
      await viewer.ok("connect-transport", { transportId: recvT.transportId, description: { type: "answer", sdp: answer } });

      const decoded = async () =>
        sub.evaluate(async () => {
          const pc = (window as unknown as { __pc: RTCPeerConnection }).__pc as RTCPeerConnection;
          const stats = await pc.getStats();
          let inboundVideo: { framesDecoded: number; frameWidth: number; mimeType: string } | undefined;
          stats.forEach((s: StatsEntry) => {
            if (s.type === "inbound-rtp" && s.kind === "video")
              inboundVideo = {
                framesDecoded: s.framesDecoded ?? 0,
                frameWidth: s.frameWidth ?? 0,
                mimeType: s.codecId ? (stats.get(s.codecId)?.mimeType ?? "") : "",
              };
          });
          return inboundVideo;
        });
      let first: Awaited<ReturnType<typeof decoded>>;
      for (let i = 0; i < 160 && !(first && first.framesDecoded > 10); i++) {
        await sleep(250);
        first = await decoded();
      }
      expect(first?.framesDecoded ?? 0, `H.264 frames decoded: ${JSON.stringify(first)}`).toBeGreaterThan(10);
      expect(first!.mimeType.toLowerCase()).toBe("video/h264");
      expect(first!.frameWidth).toBeGreaterThan(0);
      let later = first!;
      for (let i = 0; i < 60 && later.framesDecoded < first!.framesDecoded + 30; i++) {
        await sleep(250);
        later = (await decoded())!;
      }
      expect(later.framesDecoded, "H.264 frames keep being decoded").toBeGreaterThanOrEqual(first!.framesDecoded + 30);
    }, 120_000);
  });
