import type { Page } from "playwright-core";
import type { Client } from "./signal";

/** Pages that only do RTCPeerConnection work (the signalling is the test's, in Node). */

type PageWindow = { __pc: RTCPeerConnection };
type StatsEntry = {
  type: string;
  kind?: string;
  rid?: string;
  frameWidth?: number;
  framesEncoded?: number;
  framesDecoded?: number;
  packetsReceived?: number;
  totalAudioEnergy?: number;
  totalSamplesDuration?: number;
  totalSamplesReceived?: number;
  concealedSamples?: number;
};

/**
 * The fake camera at 1280×720 as three simulcast layers (rid l/m/h) and the fake microphone, on one
 * send transport. Returns the producers and a reader of the width the publisher encodes a layer at.
 */
export async function publishSimulcast(pub: Page, host: Client) {
  const sendT = await host.ok("create-transport", { direction: "send" });
  const offer = await pub.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 30 }, audio: true });
    const pc = new RTCPeerConnection();
    (window as unknown as PageWindow).__pc = pc;
    const video = pc.addTransceiver(stream.getVideoTracks()[0], {
      direction: "sendonly",
      sendEncodings: [
        { rid: "l", scaleResolutionDownBy: 4 },
        { rid: "m", scaleResolutionDownBy: 2 },
        { rid: "h", scaleResolutionDownBy: 1 },
      ],
    });
    const audio = pc.addTransceiver(stream.getAudioTracks()[0], { direction: "sendonly" });
    await pc.setLocalDescription(await pc.createOffer());
    return { sdp: pc.localDescription!.sdp, videoMid: video.mid!, audioMid: audio.mid! };
  });
  const connected = await host.ok("connect-transport", { transportId: sendT.transportId, description: { type: "offer", sdp: offer.sdp } });
  await pub.evaluate((sdp) => (window as unknown as PageWindow).__pc.setRemoteDescription({ type: "answer", sdp }), connected.answer?.sdp);
  const video = await host.ok("produce", { transportId: sendT.transportId, kind: "video", source: "camera", mid: offer.videoMid });
  const audio = await host.ok("produce", { transportId: sendT.transportId, kind: "audio", source: "microphone", mid: offer.audioMid });
  /** The width the publisher encodes layer `rid` at now (undefined: not sent). */
  const widthOf = (rid: string): Promise<number | undefined> =>
    pub.evaluate(async (wanted) => {
      let width: number | undefined;
      (await (window as unknown as PageWindow).__pc.getStats()).forEach((s: StatsEntry) => {
        if (s.type === "outbound-rtp" && s.kind === "video" && s.rid === wanted && (s.framesEncoded ?? 0) > 0 && (s.frameWidth ?? 0) > 0) width = s.frameWidth;
      });
      return width;
    }, rid);
  return { producerIds: { video: video.producerId, audio: audio.producerId }, widthOf };
}

/** A student's page: one recv transport consuming the teacher's camera (if given) and microphone, played in elements. */
export async function studentPage(sub: Page, viewer: Client, producerIds: { video?: string; audio: string }) {
  await sub.evaluate(() => {
    const pc = new RTCPeerConnection();
    (window as unknown as PageWindow).__pc = pc;
    pc.ontrack = (event) => {
      const element = document.createElement(event.track.kind === "audio" ? "audio" : "video");
      element.autoplay = true;
      element.muted = false;
      element.srcObject = new MediaStream([event.track]);
      document.body.append(element);
      void element.play().catch(() => {});
    };
  });
  const recvT = await viewer.ok("create-transport", { direction: "recv" });
  const consumerIds: string[] = [];
  for (const producerId of producerIds.video ? [producerIds.video, producerIds.audio] : [producerIds.audio]) {
    const consumed = await viewer.ok("consume", { producerId, transportId: recvT.transportId });
    const answer = await sub.evaluate(async (sdp) => {
      const pc = (window as unknown as PageWindow).__pc;
      await pc.setRemoteDescription({ type: "offer", sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      return pc.localDescription!.sdp;
    }, consumed.offer.sdp);
    await viewer.ok("connect-transport", { transportId: recvT.transportId, description: { type: "answer", sdp: answer } });
    consumerIds.push(consumed.consumerId);
  }
  return { videoConsumerId: consumerIds[0], audioConsumerId: consumerIds.at(-1) };
}

export interface ReceiveStats {
  video: { frameWidth: number; framesDecoded: number; packetsReceived: number };
  audio: { packetsReceived: number; totalAudioEnergy: number; totalSamplesDuration: number; totalSamplesReceived: number; concealedSamples: number };
}

export async function receiveStats(sub: Page): Promise<ReceiveStats> {
  return sub.evaluate(async () => {
    const out: ReceiveStats = {
      video: { frameWidth: 0, framesDecoded: 0, packetsReceived: 0 },
      audio: { packetsReceived: 0, totalAudioEnergy: 0, totalSamplesDuration: 0, totalSamplesReceived: 0, concealedSamples: 0 },
    };
    (await (window as unknown as PageWindow).__pc.getStats()).forEach((s: StatsEntry) => {
      if (s.type !== "inbound-rtp") return;
      if (s.kind === "video") out.video = { frameWidth: s.frameWidth ?? 0, framesDecoded: s.framesDecoded ?? 0, packetsReceived: s.packetsReceived ?? 0 };
      if (s.kind === "audio")
        out.audio = {
          packetsReceived: s.packetsReceived ?? 0,
          totalAudioEnergy: s.totalAudioEnergy ?? 0,
          totalSamplesDuration: s.totalSamplesDuration ?? 0,
          totalSamplesReceived: s.totalSamplesReceived ?? 0,
          concealedSamples: s.concealedSamples ?? 0,
        };
    });
    return out;
  });
}

/**
 * The audio decoded over `windowMs` (a measurement window): seconds of samples, their mean power
 * (energy per second; 0 is silence) and the share of concealed (made-up) samples.
 */
export async function audioPower(sub: Page, windowMs: number) {
  const first = await receiveStats(sub);
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const second = await receiveStats(sub);
  const samplesSeconds = second.audio.totalSamplesDuration - first.audio.totalSamplesDuration;
  const samples = second.audio.totalSamplesReceived - first.audio.totalSamplesReceived;
  return {
    samplesSeconds,
    power: samplesSeconds > 0 ? (second.audio.totalAudioEnergy - first.audio.totalAudioEnergy) / samplesSeconds : 0,
    concealedRatio: samples > 0 ? (second.audio.concealedSamples - first.audio.concealedSamples) / samples : 1,
  };
}
