import type { ProducerSource } from "@vtp/protocol";

/** Which incoming video the server keeps sending me: everything, only the stage, or none (audio only). */
export type ReceiveMode = "all" | "stage" | "audio";

export const RECEIVE_MODE_LABELS: Record<ReceiveMode, string> = {
  all: "All video",
  stage: "Only the stage",
  audio: "Audio only",
};

/** Says, per incoming video, whether to receive it (null: all of it). */
export type VideoFilter = ((peerId: string, source: ProducerSource) => boolean) | null;

/** What the quality hook needs of the media session. */
export interface VideoReceiver {
  setVideoReceiving(filter: VideoFilter): void;
}

/** "stage": screen shares and the stage person's camera; "audio": no video at all. */
export function receiveFilter(mode: ReceiveMode, stageId: string | null): VideoFilter {
  if (mode === "all") return null;
  if (mode === "audio") return () => false;
  return (peerId, source) => source === "screen" || peerId === stageId;
}
