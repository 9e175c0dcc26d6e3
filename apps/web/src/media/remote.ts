import type { ProducerSource } from "@vtp/protocol";

/** What one participant shows: camera, screen, and the audio to play. */
export interface RemoteMedia {
  camera?: MediaStream;
  screen?: MediaStream;
  /** Microphone and screen audio, played by <audio> elements. */
  audio: MediaStream[];
}

/** Consumers → what each participant shows: camera, screen, and the audio to play. Empty streams are left out. */
export function groupRemote<S extends { getTracks(): unknown[] }>(
  consumers: Iterable<{ peerId: string; kind: "audio" | "video"; source: ProducerSource; stream: S }>,
): Map<string, { camera?: S; screen?: S; audio: S[] }> {
  const byPeer = new Map<string, { camera?: S; screen?: S; audio: S[] }>();
  for (const consumer of consumers) {
    if (!consumer.stream.getTracks().length) continue;
    const media = byPeer.get(consumer.peerId) ?? { audio: [] };
    if (consumer.kind === "audio") media.audio.push(consumer.stream);
    else if (consumer.source === "screen") media.screen = consumer.stream;
    else media.camera = consumer.stream;
    byPeer.set(consumer.peerId, media);
  }
  return byPeer;
}

/** The active speaker: the loudest level above `threshold`, or null. */
export function loudest(levels: Iterable<[string, number]>, threshold = 0.04): string | null {
  let best: string | null = null;
  let max = threshold;
  for (const [peer, level] of levels) {
    if (level > max) {
      max = level;
      best = peer;
    }
  }
  return best;
}
