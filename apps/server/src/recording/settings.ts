import type { SettingsReader } from "../config/settings.js";

export interface RecordingSettings {
  /** FFMPEG_PATH / FFPROBE_PATH: the binaries (default: ffmpeg and ffprobe on PATH). */
  ffmpegPath?: string;
  ffprobePath?: string;
  /** VTP_NODE_ID: which unfinished recordings this server recovers after a crash. */
  nodeId?: string;
  /** RECORDING_WORKER=false: this server does not process recordings (`vtp worker` does). */
  worker: boolean;
  /** RECORDING_CONCURRENCY: recordings one worker processes at once. */
  concurrency: number;
  /** RECORDING_COMPOSE_LIVE=false: compose a recording after class only (default: while the class runs, ready seconds after Stop). */
  composeLive: boolean;
}

/** Reads the recording settings; problems go to the reader (reported at start). */
export function readRecordingSettings(read: SettingsReader): RecordingSettings {
  return {
    ffmpegPath: read.text("FFMPEG_PATH"),
    ffprobePath: read.text("FFPROBE_PATH"),
    nodeId: read.text("VTP_NODE_ID"),
    worker: read.bool("RECORDING_WORKER", true),
    concurrency: read.int("RECORDING_CONCURRENCY", 1, 1, 64),
    composeLive: read.bool("RECORDING_COMPOSE_LIVE", true),
  };
}
