import type { MediaTimeSink } from "./media-time.js";

/** How often the camera time of cameras still on is handed to the sink (ms). */
export const CAMERA_TIME_STEP_MS = 5000;

interface PeerSession {
  attendanceId: string;
  producers: Set<string>;
}

/**
 * Turns media events into talk and camera time of attendance sessions. The signalling layer
 * tells it which producers belong to a participant whose socket is on this node (with the
 * participant's attendance session); `speaking-time` events of those peers become talk time,
 * and each camera's lifetime (producer new → closed) camera time, handed to the sink every
 * few seconds while it is on. A peer is forgotten, and what it has is written, when its last
 * producer closes: its last `speaking-time` event comes before that `producer-closed` (same
 * media event stream).
 */
export class MediaTimeTracker {
  private readonly peers = new Map<string, PeerSession>();
  private readonly producerPeer = new Map<string, string>();
  private readonly cameras = new Map<string, { attendanceId: string; since: number }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly sink: MediaTimeSink,
    private readonly now: () => number = Date.now,
    stepMs = CAMERA_TIME_STEP_MS,
  ) {
    this.timer = setInterval(() => this.step(), stepMs);
    this.timer.unref();
  }

  private static key(roomId: string, peerId: string): string {
    return `${roomId}/${peerId}`;
  }

  /** A producer of a participant of this node opened (`camera` starts counting camera time). */
  producerOpened(roomId: string, peerId: string, producerId: string, source: string, attendanceId: string): void {
    const key = MediaTimeTracker.key(roomId, peerId);
    let peer = this.peers.get(key);
    if (!peer) {
      peer = { attendanceId, producers: new Set() };
      this.peers.set(key, peer);
    }
    peer.producers.add(producerId);
    this.producerPeer.set(producerId, key);
    if (source === "camera") this.cameras.set(producerId, { attendanceId, since: this.now() });
  }

  /** A producer closed: its camera time is handed over; the peer goes with its last producer. */
  producerClosed(producerId: string): void {
    const camera = this.cameras.get(producerId);
    if (camera) {
      this.cameras.delete(producerId);
      this.sink.add(camera.attendanceId, { cameraMs: this.now() - camera.since });
    }
    const key = this.producerPeer.get(producerId);
    if (key === undefined) return;
    this.producerPeer.delete(producerId);
    const peer = this.peers.get(key);
    if (!peer) return;
    peer.producers.delete(producerId);
    if (peer.producers.size === 0) {
      // The peer left (or turned everything off): write its time now rather than at the next interval.
      this.peers.delete(key);
      void this.sink.flush();
    }
  }

  /** A `speaking-time` event: the peers known here get their talk time (others belong to other nodes). */
  spoke(roomId: string, peers: readonly { peerId: string; talkMs: number }[]): void {
    for (const { peerId, talkMs } of peers) {
      const peer = this.peers.get(MediaTimeTracker.key(roomId, peerId));
      if (peer) this.sink.add(peer.attendanceId, { talkMs });
    }
  }

  /** Hands the camera time of the cameras still on to the sink (so a crash loses a few seconds at most). */
  step(): void {
    const now = this.now();
    for (const camera of this.cameras.values()) {
      this.sink.add(camera.attendanceId, { cameraMs: now - camera.since });
      camera.since = now;
    }
  }

  /** Shutdown: the cameras still on count until now, and everything is written. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.step();
    await this.sink.close();
  }
}
