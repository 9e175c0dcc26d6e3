import type { PipeStatus } from "../MediaService.js";
import type { MediaShard, PipeRecord, RoomShards } from "../RoomShards.js";
import type { MediaLogger } from "../log.js";

/** How often the sharded service looks at its pipes' health. */
export const PIPE_CHECK_MS = 2000;

/**
 * Keeps the pipes of the rooms whole: a pipe whose origin end is gone (its socket failed, its
 * shard closed it) or whose destination end heard nothing for a while is set up again from the
 * origin, into the same pipe producer (its subscribers keep their consumers and only see a short
 * gap). A pipe whose destination end is gone is forgotten (the next consume sets up a new one).
 * Dead shards are not its business: the sharded service handles their rooms.
 */
export class PipeKeeper {
  rebuilt = 0;
  #checking = false;

  constructor(private readonly log: MediaLogger) {}

  async check(rooms: Iterable<RoomShards>): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      const pipes = [...rooms].flatMap((room) => room.settled.map((pipe) => ({ room, pipe })));
      if (pipes.length === 0) return;
      const shards = new Set<MediaShard>(pipes.flatMap(({ pipe }) => [pipe.origin, pipe.dest]));
      const status = new Map<MediaShard, PipeStatus[] | undefined>();
      await Promise.all([...shards].map(async (s) => status.set(s, await s.request("pipeStatus").catch(() => undefined))));
      for (const { room, pipe } of pipes) {
        const outs = status.get(pipe.origin);
        const ins = status.get(pipe.dest);
        if (!outs || !ins) continue; // a shard that does not answer: dead or busy, not a broken pipe
        const out = outs.find((p) => p.side === "out" && p.pipeId === pipe.pipeId);
        const end = ins.find((p) => p.side === "in" && p.pipeId === pipe.pipeId);
        if (!end || end.state === "closed") {
          room.settled.splice(room.settled.indexOf(pipe), 1);
          room.pipes.delete(`${pipe.producerId}>${pipe.dest.id}`);
          if (out) void pipe.origin.request("closePipe", room.roomId, pipe.pipeId).catch(() => {});
          continue;
        }
        if (!out || out.state === "closed" || end.state === "silent") await this.#rebuild(room, pipe);
      }
    } finally {
      this.#checking = false;
    }
  }

  async #rebuild(room: RoomShards, pipe: PipeRecord): Promise<void> {
    const old = pipe.pipeId;
    try {
      const fresh = await pipe.origin.request("pipeOut", room.roomId, pipe.producerId);
      await pipe.dest.request("pipeIn", room.roomId, fresh.origin, fresh.producer);
      pipe.pipeId = fresh.origin.pipeId;
      this.rebuilt++;
      this.log.warn({ roomId: room.roomId, producerId: pipe.producerId, from: pipe.origin.id, to: pipe.dest.id }, "a broken media pipe was set up again");
      void pipe.origin.request("closePipe", room.roomId, old).catch(() => {});
    } catch (err) {
      this.log.warn({ err, roomId: room.roomId, producerId: pipe.producerId }, "a broken media pipe could not be set up again; retrying");
    }
  }
}
