import { Type, type Static } from "@sinclair/typebox";
import { Uuid } from "./input.js";

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: "ErrorResponse" },
);

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("degraded")]),
  version: Type.String(),
  uptimeSeconds: Type.Number(),
  database: Type.Union([Type.Literal("ok"), Type.Literal("down")]),
  /** With REDIS_URL only: the shared live state (rooms, presence) answers. */
  redis: Type.Optional(Type.Union([Type.Literal("ok"), Type.Literal("down")])),
});
export type HealthResponse = Static<typeof HealthResponse>;

/** GET /api/v1/admin/status: what an operator wants to see at a glance (admins only). */
export const AdminStatusResponse = Type.Object({
  health: HealthResponse,
  signalling: Type.Object({
    /** "memory": one process; "redis": shared between app servers. */
    adapter: Type.Union([Type.Literal("memory"), Type.Literal("redis")]),
    /** This app server, and every app server whose heartbeat is alive (itself included). */
    nodeId: Type.String(),
    nodes: Type.Array(Type.String()),
    socketsOnThisNode: Type.Integer(),
    liveRooms: Type.Integer(),
  }),
  media: Type.Object({
    mode: Type.Union([Type.Literal("in-process"), Type.Literal("remote"), Type.Literal("off")]),
    /** False until the first media event of this server (media starts on demand). */
    started: Type.Boolean(),
    ok: Type.Optional(Type.Boolean()),
    workers: Type.Optional(Type.Integer()),
    rooms: Type.Optional(Type.Integer()),
    peers: Type.Optional(Type.Integer()),
    /**
     * Once media runs: each room's home worker/node and the shards holding its peers (a big class
     * spreads), and the pipes carrying producers between them with their health.
     */
    spread: Type.Optional(
      Type.Object({
        rooms: Type.Array(
          Type.Object({
            roomId: Type.String(),
            home: Type.String(),
            shards: Type.Array(Type.Object({ shardId: Type.String(), peers: Type.Integer() })),
            pipes: Type.Integer(),
          }),
        ),
        pipes: Type.Array(
          Type.Object({
            roomId: Type.String(),
            shardId: Type.String(),
            pipeId: Type.String(),
            producerId: Type.String(),
            side: Type.Union([Type.Literal("out"), Type.Literal("in")]),
            state: Type.Union([Type.Literal("connecting"), Type.Literal("ok"), Type.Literal("silent"), Type.Literal("closed")]),
            packets: Type.Integer(),
            bytes: Type.Integer(),
            keyFrameRequests: Type.Integer(),
            nacks: Type.Integer(),
          }),
        ),
        pipesRebuilt: Type.Integer(),
      }),
    ),
  }),
  recordings: Type.Object({
    active: Type.Integer(),
    queued: Type.Integer(),
    running: Type.Integer(),
    failed: Type.Integer(),
  }),
});
export type AdminStatusResponse = Static<typeof AdminStatusResponse>;

export const IdParams = Type.Object({ id: Uuid() });
