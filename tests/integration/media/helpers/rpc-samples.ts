/**
 * One valid call of every media RPC method with a result it may answer, and a media service that
 * records the calls it gets and answers those results. Typed over every method, so a method added
 * to MediaOperations without a sample does not compile.
 */
import type { MediaMethod, PipeOperations, ShardOperations, MediaService } from "../../../../apps/server/src/media/MediaService.js";
import { MEDIA_METHODS } from "../../../../apps/server/src/media/rpc/table.js";
import type { MediaLogger } from "../../../../apps/server/src/media/log.js";

type Sample<M extends MediaMethod> = { args: Parameters<ShardOperations[M]>; result: Awaited<ReturnType<ShardOperations[M]>> };

const producer = {
  producerId: "prod-1",
  peerId: "teacher",
  userId: "u-1",
  kind: "video" as const,
  source: "camera" as const,
  codec: "video/VP8",
  layers: ["l", "m", "h"],
  paused: false,
};
const pipeOrigin = { pipeId: "pipe-1", ip: "127.0.0.1", port: 40100, token: "0123456789abcdef0123456789abcdef" };
const stats = {
  workers: 1,
  rooms: 2,
  peers: 3,
  transports: 4,
  peerConnections: 4,
  producers: 5,
  consumers: 6,
  udpSockets: 7,
  timers: 8,
  packetsForwarded: 9,
  bytesForwarded: 10,
  receiverLossSum: 0.5,
  receiverLossReports: 2,
  eventLoopActiveMs: 12.5,
};

export const SAMPLES: { [M in MediaMethod]: Sample<M> } = {
  health: { args: [], result: { ok: true, workers: 2, rooms: 1, peers: 3 } },
  listRooms: { args: [], result: [{ roomId: "r-1", workerId: "w0", peers: 2, producers: 1, consumers: 1 }] },
  getRoom: {
    args: ["r-1"],
    result: {
      roomId: "r-1",
      workerId: "w0",
      peers: 1,
      producers: 1,
      consumers: 1,
      peerList: [
        {
          peerId: "teacher",
          userId: "u-1",
          transports: [{ transportId: "t-1", direction: "send", connectionState: "connected" }],
          producers: [producer],
          consumers: [{ consumerId: "c-1", producerId: "prod-2", peerId: "teacher", kind: "audio" }],
        },
      ],
    },
  },
  joinPeer: { args: ["r-1", "student", "u-2"], result: { roomId: "r-1", peerId: "student", producers: [producer] } },
  leavePeer: { args: ["r-1", "student"], result: undefined },
  createTransport: { args: ["r-1", "student", "recv"], result: { transportId: "t-2", direction: "recv" } },
  connectTransport: {
    args: ["r-1", "teacher", "t-1", { type: "offer", sdp: "v=0\r\n" }],
    result: { transportId: "t-1", answer: { type: "answer", sdp: "v=0\r\n" } },
  },
  produce: { args: ["r-1", "teacher", { transportId: "t-1", kind: "video", source: "camera", mid: "0" }], result: { producerId: "prod-1" } },
  consume: {
    args: ["r-1", "student", { producerId: "prod-1", transportId: "t-2" }],
    result: {
      consumerId: "c-2",
      producerId: "prod-1",
      producerPeerId: "teacher",
      kind: "video",
      source: "camera",
      mid: "0",
      offer: { type: "offer", sdp: "v=0\r\n" },
    },
  },
  closeProducer: { args: ["r-1", "prod-1", "teacher"], result: undefined },
  closeConsumer: { args: ["r-1", "c-2", "student"], result: undefined },
  closeProducersOf: { args: ["r-1", "teacher", { sources: ["microphone"] }], result: ["prod-3"] },
  setPreferredLayer: { args: ["r-1", "c-2", "h"], result: undefined },
  requestKeyFrame: { args: ["r-1", "c-2"], result: undefined },
  setConsumerPaused: { args: ["r-1", "c-2", true, "student"], result: undefined },
  stats: { args: [], result: stats },
  pipeOut: { args: ["r-1", "prod-1"], result: { origin: pipeOrigin, producer } },
  pipeIn: { args: ["r-1", pipeOrigin, producer], result: undefined },
  closePipe: { args: ["r-1", "pipe-1"], result: undefined },
  pipeStatus: {
    args: [],
    result: [{ roomId: "r-1", pipeId: "pipe-1", producerId: "prod-1", side: "out", state: "ok", packets: 10, bytes: 9000, keyFrameRequests: 1, nacks: 0 }],
  },
};

export interface RecordedCall {
  method: string;
  args: unknown[];
}

/** A MediaService that records every call and answers the sample result (or `answers[method]`). */
export function recordingMedia(answers: Partial<Record<MediaMethod, unknown>> = {}) {
  const calls: RecordedCall[] = [];
  const service = Object.fromEntries(
    MEDIA_METHODS.map((method) => [
      method,
      async (...args: unknown[]) => {
        calls.push({ method, args });
        return method in answers ? answers[method] : SAMPLES[method].result;
      },
    ]),
  ) as unknown as ShardOperations;
  const media: MediaService & PipeOperations & { statsByShard(): Promise<{ shardId: string; stats: null }[]> } = {
    ...service,
    onEvent: () => () => {},
    close: async () => {},
    statsByShard: async () => [],
  };
  return { media, calls };
}

/** A logger that keeps what it is told. */
export function captureLogger() {
  const records: { level: string; obj: Record<string, unknown>; msg?: string }[] = [];
  const make = (bindings: Record<string, unknown>): MediaLogger => {
    const at = (level: string) => (obj: object, msg?: string) => records.push({ level, obj: { ...bindings, ...obj }, msg });
    return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: (childBindings) => make({ ...bindings, ...childBindings }) };
  };
  return { log: make({}), records };
}
