/**
 * m-line order over renegotiations (issue 15): a student turns the microphone on, off, on again
 * and only then the camera. The teacher's recv transport gets an offer per consume and the
 * student's send transport an answer per offer; JSEP (RFC 8829 §5.2.2, §5.3.1) wants every
 * m-line to stay where it was — Chromium refuses an offer or answer that moves or drops one
 * ("The order of m-lines … doesn't match").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MediaService, SessionDescriptionDto } from "../../../apps/server/src/media/index.js";
import { TestPublisher, waitFor } from "./helpers/clients.js";
import { startInProcess, type MediaUnderTest } from "./helpers/modes.js";

/** The m-lines of an SDP in order, as "kind:mid". */
function mlines(sdp: string): string[] {
  return sdp
    .split(/\r?\n(?=m=)/)
    .slice(1)
    .map((section) => `${/^m=(\S+)/.exec(section)?.[1]}:${/^a=mid:(\S+)/m.exec(section)?.[1] ?? "?"}`);
}

/** Every description keeps the m-lines of the one before at the same places (and may add some at the end). */
function expectStableOrder(descriptions: string[], what: string): void {
  for (let i = 1; i < descriptions.length; i++) {
    const before = mlines(descriptions[i - 1] ?? "");
    const now = mlines(descriptions[i] ?? "");
    expect(now.slice(0, before.length), `${what} #${i + 1} keeps the m-lines of #${i}`).toEqual(before);
  }
}

/**
 * The teacher's side answered by hand at the SDP level (a browser's answer: every m-line in the
 * offer's order, receiving what is sent, inactive what is inactive); no media flows.
 */
function answerTo(offer: string): SessionDescriptionDto {
  const sdp = offer
    .split("\r\n")
    .filter((line) => !/^a=(ssrc|ssrc-group|msid|candidate|end-of-candidates)\b/.test(line))
    .map((line) =>
      line
        .replace(/^a=sendonly$/, "a=recvonly")
        .replace(/^a=setup:actpass$/, "a=setup:active")
        .replace(/^a=ice-ufrag:.*$/, "a=ice-ufrag:tchr")
        .replace(/^a=ice-pwd:.*$/, "a=ice-pwd:teacherteacherteacher0000"),
    )
    .join("\r\n");
  return { type: "answer", sdp };
}

describe("m-line order when a microphone is published again before the camera", () => {
  let sut: MediaUnderTest;
  let media: MediaService;
  beforeAll(async () => {
    sut = await startInProcess(47000, { MEDIA_WORKERS: "1" });
    media = sut.media;
  });
  afterAll(async () => {
    await sut?.stop();
  });

  it("keeps every m-line (kind and mid) in place on the teacher's recv offers, a microphone closed before its offer was answered included", async () => {
    const roomId = `mline-${process.pid}`;
    const student = new TestPublisher(media, roomId, "student");
    try {
      await student.join();
      await media.joinPeer(roomId, "teacher", "user-teacher");
      const recv = (await media.createTransport(roomId, "teacher", "recv")).transportId;
      const offers: string[] = [];
      const consume = async (producerId: string, beforeAnswer?: () => Promise<void>) => {
        const res = await media.consume(roomId, "teacher", { producerId, transportId: recv });
        offers.push(res.offer.sdp);
        await beforeAnswer?.();
        await media.connectTransport(roomId, "teacher", recv, answerTo(res.offer.sdp));
      };
      const negotiate = async () => {
        await student.pc.setLocalDescription(await student.pc.createOffer());
        const res = await media.connectTransport(roomId, "student", student.transportId, { type: "offer", sdp: student.pc.localDescription!.sdp });
        expect(mlines(res.answer!.sdp), "the server's answer keeps the student's order").toEqual(mlines(student.pc.localDescription!.sdp));
        await student.pc.setRemoteDescription(res.answer!);
      };

      // Microphone on; the teacher is offered it — and it is off again before the teacher's answer.
      const mic = student.addTrack("microphone");
      await negotiate();
      const first = await student.produce(mic);
      await consume(first, async () => {
        await media.closeProducer(roomId, first, "student");
        await waitFor("the teacher's consumer closed", async () => (await media.getRoom(roomId)).consumers === 0);
      });
      // On again, on the same m-line of the student's (no renegotiation there); the teacher consumes it.
      await consume(await student.produce(mic));
      // Camera on: a new m-line on the student's side; the teacher consumes it.
      const cam = student.addTrack("camera");
      await negotiate();
      await consume(await student.produce(cam));

      expect(offers.map(mlines)).toEqual([["audio:0"], ["audio:0", "audio:1"], ["audio:0", "audio:1", "video:2"]]);
      expectStableOrder(offers, "the teacher's offer");
    } finally {
      await student.close();
    }
  }, 60_000);
});
