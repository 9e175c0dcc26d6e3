/**
 * The media behaviour suite, run against both modes (in-process and remote media node).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MediaEvent, MediaService } from "../../../../apps/server/src/media/index.js";
import { TestPublisher, TestSubscriber, waitFor } from "./clients.js";
import type { MediaUnderTest } from "./modes.js";

export class EventLog {
  readonly events: MediaEvent[] = [];
  readonly off: () => void;
  constructor(media: MediaService) {
    this.off = media.onEvent((event) => this.events.push(event));
  }
  has(pred: (e: MediaEvent) => boolean) {
    return this.events.some(pred);
  }
  wait(what: string, pred: (e: MediaEvent) => boolean) {
    return waitFor(what, () => this.events.find(pred));
  }
}

let roomSeq = 0;
const newRoom = (tag: string) => `${tag}-${process.pid}-${++roomSeq}`;

export function mediaSuite(name: string, start: () => Promise<MediaUnderTest>) {
  describe(name, () => {
    let sut: MediaUnderTest;
    let media: MediaService;
    let log: EventLog;
    const cleanup: { close(): Promise<void> }[] = [];

    beforeAll(async () => {
      sut = await start();
      media = sut.media;
      log = new EventLog(media);
    });

    afterAll(async () => {
      for (const c of cleanup) await c.close().catch(() => {});
      log?.off();
      await sut?.stop();
    });

    async function publisher(roomId: string, peerId: string, sources: ("camera" | "microphone" | "screen")[]) {
      const pub = new TestPublisher(media, roomId, peerId);
      cleanup.push(pub);
      await pub.join();
      const tracks = sources.map((s) => pub.addTrack(s));
      await pub.negotiate();
      for (const t of tracks) await pub.produce(t);
      await pub.connected();
      pub.startRtp();
      return { pub, tracks };
    }

    async function subscriber(roomId: string, peerId: string) {
      const sub = new TestSubscriber(media, roomId, peerId);
      cleanup.push(sub);
      const joined = await sub.join();
      return { sub, joined };
    }

    it("forwards a publisher's camera and microphone to a subscriber, with a PLI on start and REMB caps", async () => {
      const roomId = newRoom("flow");
      const { pub, tracks } = await publisher(roomId, "teacher", ["camera", "microphone"]);
      const [cam, mic] = tracks;
      const { sub } = await subscriber(roomId, "student1");
      await sub.consume(cam.producerId!);
      await sub.consume(mic.producerId!);
      await waitFor("video and audio packets at the subscriber", () => sub.packetsFor(cam.producerId!) > 30 && sub.packetsFor(mic.producerId!) > 50);
      await waitFor("a PLI at the publisher", () => pub.pliReceived > 0);
      await waitFor("a REMB at the publisher", () => pub.rembBps > 0);
      expect(pub.rembBps).toBeGreaterThan(1_400_000);
      expect(pub.rembBps).toBeLessThanOrEqual(1_500_000);
      const room = await media.getRoom(roomId);
      expect(room.peers).toBe(2);
      expect(room.producers).toBe(2);
      expect(room.consumers).toBe(2);
      const teacher = room.peerList.find((p) => p.peerId === "teacher")!;
      expect(teacher.producers.map((p) => p.source).sort()).toEqual(["camera", "microphone"]);
      expect(teacher.producers.find((p) => p.kind === "video")!.codec?.toLowerCase()).toBe("video/vp8");
      expect((await media.listRooms()).some((r) => r.roomId === roomId)).toBe(true);
      // The server counts each packet it forwards once; the subscriber also counts the SFU's NACK
      // retransmissions (werift NACKs packets that arrive late under load), so compare with the
      // distinct packets the subscriber got, read before the stats (packets keep flowing).
      const delivered = sub.distinctPacketsFor(cam.producerId!) + sub.distinctPacketsFor(mic.producerId!);
      expect(delivered).toBeGreaterThan(60);
      const stats = await media.stats();
      expect(stats.packetsForwarded).toBeGreaterThanOrEqual(delivered);
    });

    it("answers a subscriber's NACK with the lost packet sealed again: same sequence number, same payload", async () => {
      const roomId = newRoom("nack");
      const { tracks } = await publisher(roomId, "teacher", ["camera"]);
      const [cam] = tracks;
      const { sub } = await subscriber(roomId, "student1");
      const consumed = await sub.consume(cam.producerId!);
      await waitFor("100 video packets at the subscriber", () => consumed.seqs.size > 100);
      // Three packets it already has, from the last 200 (well inside the SFU's ring of 512).
      const asked = [...consumed.recent.keys()].slice(-60, -57);
      const first = asked.map((seq) => ({ seq, ...consumed.recent.get(seq)! }));
      expect(first.every((p) => p.times === 1)).toBe(true);
      await sub.nack(consumed, first[0].ssrc, asked);
      await waitFor("the asked packets a second time", () => asked.every((seq) => (consumed.recent.get(seq)?.times ?? 0) >= 2));
      for (const p of first) {
        const again = consumed.recent.get(p.seq)!.again!;
        expect(again.payload.equals(p.payload), `payload of ${p.seq}`).toBe(true);
        expect(again.timestamp, `timestamp of ${p.seq}`).toBe(p.timestamp);
      }
      // A packet it never had (far outside the ring) is not answered with anything else.
      const packetsBefore = consumed.packets;
      const unknown = (asked[0] + 30000) & 0xffff;
      await sub.nack(consumed, first[0].ssrc, [unknown]);
      await waitFor("more packets after the NACK", () => consumed.packets > packetsBefore + 20);
      expect(consumed.recent.has(unknown)).toBe(false);
    });

    it("gives a late joiner every existing producer, and renegotiates a screen share on and off without dropping the camera", async () => {
      const roomId = newRoom("late");
      const { pub, tracks } = await publisher(roomId, "teacher", ["camera", "microphone"]);
      const { sub, joined } = await subscriber(roomId, "late-student");
      expect(joined.producers.map((p) => p.producerId).sort()).toEqual(tracks.map((t) => t.producerId).sort());
      for (const p of joined.producers) await sub.consume(p.producerId);
      const camId = tracks[0].producerId!;
      await waitFor("camera packets", () => sub.packetsFor(camId) > 20);

      // Start a screen share: a new m-line on the publisher's send transport, then a new consumer.
      const screen = pub.addTrack("screen");
      await pub.negotiate();
      const screenId = await pub.produce(screen);
      pub.stopRtp();
      pub.startRtp();
      await log.wait("producer-new for the screen", (event) => event.type === "producer-new" && event.producer.producerId === screenId);
      const screenConsumer = await sub.consume(screenId);
      await waitFor("screen packets", () => sub.packetsFor(screenId) > 20);
      const camBefore = sub.packetsFor(camId);
      await waitFor("camera still flowing", () => sub.packetsFor(camId) > camBefore + 20);

      // Stop the screen share: producer closed, the subscriber's consumer closed, camera goes on.
      await media.closeProducer(roomId, screenId, "teacher");
      await log.wait("producer-closed", (event) => event.type === "producer-closed" && event.producerId === screenId);
      await log.wait(
        "consumer-closed",
        (event) => event.type === "consumer-closed" && event.consumerId === screenConsumer.consumerId && event.reason === "producer-closed",
      );
      const room = await media.getRoom(roomId);
      expect(
        room.peerList
          .find((p) => p.peerId === "teacher")!
          .producers.map((p) => p.source)
          .sort(),
      ).toEqual(["camera", "microphone"]);
      const camAfter = sub.packetsFor(camId);
      await waitFor("camera still flowing after the screen stopped", () => sub.packetsFor(camId) > camAfter + 20);
    });

    it("mutes (closes the microphone) and demotes (closes everything) with closeProducersOf", async () => {
      const roomId = newRoom("mute");
      const { tracks } = await publisher(roomId, "presenter", ["camera", "microphone"]);
      const [cam, mic] = tracks;
      const muted = await media.closeProducersOf(roomId, "presenter", { sources: ["microphone"] });
      expect(muted).toEqual([mic.producerId]);
      await log.wait("mic closed", (event) => event.type === "producer-closed" && event.producerId === mic.producerId);
      expect(log.has((event) => event.type === "producer-closed" && event.producerId === cam.producerId)).toBe(false);
      const demoted = await media.closeProducersOf(roomId, "presenter");
      expect(demoted).toEqual([cam.producerId]);
      expect((await media.getRoom(roomId)).producers).toBe(0);
    });

    it("answers bad input with clear error codes", async () => {
      const roomId = newRoom("errors");
      const { tracks } = await publisher(roomId, "teacher", ["camera"]);
      const { sub } = await subscriber(roomId, "student");
      const sendT = (await media.getRoom(roomId)).peerList.find((p) => p.peerId === "teacher")!.transports[0].transportId;

      const code = (status: number, errorCode: string) => expect.objectContaining({ status, code: errorCode });
      await expect(media.getRoom("no-such-room")).rejects.toEqual(code(404, "ROOM_NOT_FOUND"));
      await expect(media.createTransport(roomId, "nobody", "send")).rejects.toEqual(code(404, "PARTICIPANT_NOT_FOUND"));
      await expect(media.createTransport(roomId, "student", "sideways" as "send")).rejects.toEqual(code(400, "VALIDATION_FAILED"));
      await expect(media.connectTransport(roomId, "student", "no-such-transport", { type: "answer", sdp: "v=0" })).rejects.toEqual(
        code(404, "TRANSPORT_NOT_FOUND"),
      );
      // Someone else's transport is not found either.
      await expect(media.produce(roomId, "student", { transportId: sendT, kind: "video", source: "camera" })).rejects.toEqual(code(404, "TRANSPORT_NOT_FOUND"));
      // Bad SDP.
      const { transportId: send2 } = await media.createTransport(roomId, "student", "send");
      await expect(media.connectTransport(roomId, "student", send2, { type: "offer", sdp: "hello" })).rejects.toEqual(code(400, "INVALID_SDP"));
      await expect(media.connectTransport(roomId, "student", send2, { type: "answer", sdp: "v=0\r\n" })).rejects.toEqual(code(400, "INVALID_SDP"));
      await expect(media.connectTransport(roomId, "student", sub.transportId, { type: "answer", sdp: "v=0\r\nm=video 9 x\r\n" })).rejects.toEqual(
        code(400, "INVALID_SDP"),
      );
      // Producing on a recv transport, consuming on a send transport.
      await expect(media.produce(roomId, "student", { transportId: sub.transportId, kind: "video", source: "camera" })).rejects.toEqual(
        code(400, "WRONG_DIRECTION"),
      );
      await expect(media.consume(roomId, "student", { producerId: tracks[0].producerId!, transportId: send2 })).rejects.toEqual(code(400, "WRONG_DIRECTION"));
      // Producing before any offer was applied; kind/source mismatch.
      await expect(media.produce(roomId, "student", { transportId: send2, kind: "video", source: "camera" })).rejects.toEqual(code(400, "VALIDATION_FAILED"));
      await expect(media.produce(roomId, "student", { transportId: send2, kind: "audio", source: "camera" })).rejects.toEqual(code(400, "VALIDATION_FAILED"));
      // Unknown ids.
      await expect(media.consume(roomId, "student", { producerId: "nope", transportId: sub.transportId })).rejects.toEqual(code(404, "PRODUCER_NOT_FOUND"));
      await expect(media.closeConsumer(roomId, "nope")).rejects.toEqual(code(404, "CONSUMER_NOT_FOUND"));
      await expect(media.setPreferredLayer(roomId, "nope", "l")).rejects.toEqual(code(404, "CONSUMER_NOT_FOUND"));
      await expect(media.requestKeyFrame(roomId, "nope")).rejects.toEqual(code(404, "CONSUMER_NOT_FOUND"));
      await expect(media.closeProducer(roomId, tracks[0].producerId!, "student")).rejects.toEqual(code(404, "PRODUCER_NOT_FOUND"));
      // Consuming the same producer twice on one transport.
      await sub.consume(tracks[0].producerId!);
      await expect(media.consume(roomId, "student", { producerId: tracks[0].producerId!, transportId: sub.transportId })).rejects.toEqual(
        code(409, "CONFLICT"),
      );
      // Consuming a closed producer.
      await media.closeProducer(roomId, tracks[0].producerId!);
      await expect(media.consume(roomId, "student", { producerId: tracks[0].producerId!, transportId: sub.transportId })).rejects.toEqual(
        code(404, "PRODUCER_NOT_FOUND"),
      );
      await expect(media.closeProducer(roomId, tracks[0].producerId!)).rejects.toEqual(code(404, "PRODUCER_NOT_FOUND"));
      // A participant cannot pile up transports (the student holds a recv and a send one).
      await media.createTransport(roomId, "student", "recv");
      await media.createTransport(roomId, "student", "send");
      await expect(media.createTransport(roomId, "student", "recv")).rejects.toEqual(code(429, "TOO_MANY_TRANSPORTS"));
      expect((await media.getRoom(roomId)).peerList.find((p) => p.peerId === "student")!.transports).toHaveLength(4);
    });

    it("cleans up a subscriber and a publisher that vanish without leaving", async () => {
      const roomId = newRoom("vanish");
      const { pub, tracks } = await publisher(roomId, "teacher", ["camera", "microphone"]);
      const { sub } = await subscriber(roomId, "ghost");
      const { sub: other } = await subscriber(roomId, "stays");
      const consumed = await sub.consume(tracks[0].producerId!);
      await other.consume(tracks[0].producerId!);
      await waitFor("packets", () => sub.packetsFor(tracks[0].producerId!) > 10);

      await sub.pc.close(); // no leave: the peer just disappears
      await log.wait("the ghost's transport closed", (event) => event.type === "transport-closed" && event.peerId === "ghost" && event.reason === "failed");
      expect(log.has((event) => event.type === "consumer-closed" && event.consumerId === consumed.consumerId)).toBe(true);
      let room = await media.getRoom(roomId);
      const ghost = room.peerList.find((p) => p.peerId === "ghost")!;
      expect(ghost.transports).toEqual([]);
      expect(ghost.consumers).toEqual([]);
      expect(room.consumers).toBe(1);

      pub.stopRtp();
      await pub.pc.close();
      await log.wait("the teacher's producers closed", (event) => event.type === "producer-closed" && event.producerId === tracks[1].producerId);
      room = await media.getRoom(roomId);
      expect(room.producers).toBe(0);
      expect(room.consumers).toBe(0);
      await log.wait("the other subscriber's consumer closed", (event) => event.type === "consumer-closed" && event.peerId === "stays");
    });

    it("closes everything of a leaving peer, tells the others, and closes the room with its last peer", async () => {
      const roomId = newRoom("leave");
      const { tracks } = await publisher(roomId, "teacher", ["microphone"]);
      const { sub } = await subscriber(roomId, "student");
      const consumed = await sub.consume(tracks[0].producerId!);
      await media.leavePeer(roomId, "teacher");
      await log.wait(
        "producer-closed peer-left",
        (event) => event.type === "producer-closed" && event.producerId === tracks[0].producerId && event.reason === "peer-left",
      );
      await log.wait("consumer-closed for the student", (event) => event.type === "consumer-closed" && event.consumerId === consumed.consumerId);
      await expect(media.leavePeer(roomId, "teacher")).rejects.toEqual(expect.objectContaining({ code: "PARTICIPANT_NOT_FOUND" }));
      await media.leavePeer(roomId, "student");
      await log.wait("room-closed", (event) => event.type === "room-closed" && event.roomId === roomId);
      await expect(media.getRoom(roomId)).rejects.toEqual(expect.objectContaining({ code: "ROOM_NOT_FOUND" }));
    });
  });
}
