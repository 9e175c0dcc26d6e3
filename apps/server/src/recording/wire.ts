import type { Logger } from "pino";
import { AppError } from "../errors/index.js";
import type { MediaService } from "../media/index.js";
import type { Broadcaster, SignallingServer } from "../signalling/index.js";
import type { RecordingNotifier, RecordingService } from "./service.js";
import type { RecorderSourceFactory } from "./source.js";
import { MediaRecorderSource } from "./media-source.js";

/** The recorder joins the room's media as a participant (MediaRecorderSource). */
export function mediaRecorderSources(media: () => Promise<MediaService>, log: Logger): RecorderSourceFactory {
  return async (roomId, recordingId) => new MediaRecorderSource(await media(), roomId, recordingId, log);
}

/** `recording-started`/`recording-stopped` go to the room, progress and markers to its hosts. */
export function roomNotifier(out: Broadcaster): RecordingNotifier {
  return (roomId, event, payload, hostsOnly) => (hostsOnly ? out.toHosts(roomId, event, payload as never) : out.toRoom(roomId, event, payload as never));
}

/**
 * Connects recording to the live classroom (the service gets its media source and notifier
 * at construction: `mediaRecorderSources`, `roomNotifier`):
 * - someone joining (or resuming) a room being recorded gets `recording-started` on their socket
 *   during the join, so every client shows the indicator;
 * - the class ending stops its recording;
 * - `add-marker` { roomId, label } from the host or a presenter;
 * - a raised hand (`hand-raised` hook) becomes a `hand` marker while the room is recorded.
 */
export function connectRecording(opts: { service: RecordingService; signalling: SignallingServer }) {
  const { service, signalling } = opts;
  const out = signalling.out;

  const tellIfRecorded = async (roomId: string, socketId: string) => {
    const active = await service.activeFor(roomId);
    if (active) out.toSocket(socketId, "recording-started", { roomId, ...active });
  };
  signalling.hooks.on("participant-joined", ({ roomId, participant }) => tellIfRecorded(roomId, participant.socketId));
  signalling.hooks.on("participant-resumed", ({ roomId, participant }) => tellIfRecorded(roomId, participant.socketId));
  signalling.hooks.on("room-ended", ({ roomId }) => service.stopRoom(roomId));
  // Raised hands on the recording's timeline (screen shares are marked by the recorder itself).
  signalling.hooks.on("hand-raised", ({ roomId, participant }) => service.autoMarker(roomId, "hand", `${participant.name} raised a hand`, participant.userId));

  signalling.defineHandler("add-marker", async (ctx, { roomId, label }) => {
    const participant = await ctx.member(roomId);
    if (participant.role !== "host" && participant.role !== "presenter")
      throw new AppError("FORBIDDEN", "Only the host or a presenter can mark a moment of the recording");
    const text = label.trim();
    if (!text) throw new AppError("VALIDATION_FAILED", "label: must not be blank", [{ field: "label", problem: "must not be blank" }]);
    return { marker: await service.addMarker(ctx.session.user, participant.roomId, text, "marker", { authorized: true }) };
  });
}
