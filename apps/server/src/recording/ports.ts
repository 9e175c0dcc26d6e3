import type { Logger } from "pino";
import type { PollDto, PollResultsDto, RecordingBoardResponse, RecordingServerEvents } from "@vtp/protocol";
import type { Storage } from "../storage/index.js";
import type { JobQueue } from "../jobs/index.js";
import type { RecordingsRepo } from "./repo.js";
import type { RecorderSourceFactory } from "./source.js";

/** What the recording service is given by the composition root, and the doors it talks through. */

/** Sends a recording event to a room (everyone) or to its hosts; wired to the signalling layer. */
export type RecordingNotifier = <E extends keyof RecordingServerEvents>(
  roomId: string,
  event: E,
  payload: Parameters<RecordingServerEvents[E]>[0],
  hostsOnly: boolean,
) => void;

export interface RecordingServiceDeps {
  repo: RecordingsRepo;
  storage: Storage;
  jobs: JobQueue;
  ffmpeg?: { ffmpeg: string; ffprobe: string };
  log: Logger;
  dataDir: string;
  publicUrl: string;
  nodeId: string;
  /** Signs the short-lived URLs of HLS variants and segments. */
  signingSecret: string;
  /** Wakes the in-process worker after an enqueue. */
  onEnqueue?: () => void;
  /** The recorder's media participant; absent: recording is unavailable (no media on this server). */
  sourceFactory?: RecorderSourceFactory;
  /** Where recording events go (the room's sockets). */
  notifier?: RecordingNotifier;
  /** The class's polls, for the replay (absent: a processing-only worker, which serves no replay). */
  polls?: PollRecordSource;
  /** The class's quizzes, for the replay (as `polls`). */
  quizzes?: QuizRecordSource;
  /** The class board, drawn into the recording while it is composed during the class (absent: no board). */
  board?: BoardRecordSource;
  /** Compose each recording while the class runs (RECORDING_COMPOSE_LIVE; default on). */
  composeLive?: boolean;
}

/** The polls of a class opened in a span of time, with their final results (polls/ provides it). */
export interface PollRecordSource {
  pollsBetween(roomId: string, fromIso: string, toIso: string): Promise<{ poll: PollDto; results: PollResultsDto }[]>;
}

/** The quizzes of a class with when they opened and closed and their scores (quizzes/ provides it). */
export interface QuizRecordSource {
  scoresOf(
    roomId: string,
  ): Promise<
    { quizId: string; title: string; questions: number; maxScore: number; openedAt: Date | null; closedAt: Date | null; scores: { score: number }[] }[]
  >;
}

/**
 * The class board during a recording, for the composed video (board/ gives the history, the
 * same data as the replay route; materials/ the shown documents' PDFs). Absent: no board drawn.
 */
export interface BoardRecordSource {
  /** The board at `fromIso` (stage, non-empty pages) and its ops until `toIso`, with offsets from `fromIso`. */
  boardForRecording(roomId: string, fromIso: string, toIso: string): Promise<RecordingBoardResponse>;
  /** A material's PDF, undefined when it is no longer there. */
  materialPdf(roomId: string, materialId: string): Promise<Uint8Array | undefined>;
}
