/**
 * What the recorder captures from: the tracks of one room. The media-layer adapter
 * (MediaRecorderSource) joins the room as a participant and consumes every producer; tests
 * and benchmarks feed RTP they generate themselves through the same interface.
 */
export interface RecorderCodec {
  /** "VP8", "H264", "opus". */
  name: string;
  payloadType: number;
  clockRate: number;
  channels?: number;
  /** a=fmtp parameters, e.g. "packetization-mode=1;profile-level-id=42e01f". */
  fmtp?: string;
}

export interface RecorderTrack {
  /** The producer id. */
  id: string;
  peerId: string;
  userId: string | null;
  kind: "audio" | "video";
  source: string;
  codec: RecorderCodec;
  /** Serialized RTP packets (header extensions stripped). Returns the unsubscribe function. */
  onRtp(listener: (packet: Buffer) => void): () => void;
  /** Called once when the producer closes. */
  onClose(listener: () => void): void;
  /** Asks the publisher for a key frame (video). */
  requestKeyFrame(): void;
}

export interface RecorderSource {
  /**
   * Starts delivering the room's tracks — those that exist now and every later one. Resolves once
   * the tracks that exist now have been handed to `onTrack` (or after a bounded wait): the
   * recording's clock starts then, so that it does not begin with seconds of the recorder joining.
   */
  start(onTrack: (track: RecorderTrack) => void): Promise<void>;
  /** Stops consuming (leaves the room). */
  stop(): Promise<void>;
}

/** Makes a source for a room; set by whoever wires recording to the media layer. */
export type RecorderSourceFactory = (roomId: string, recordingId: string) => Promise<RecorderSource>;
