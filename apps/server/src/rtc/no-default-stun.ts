import { Connection } from "werift";

let applied = false;

/**
 * werift queries stun.l.google.com:19302 for a server-reflexive candidate whenever no STUN server
 * is configured, and setLocalDescription waits for that query, up to 5 s. Where the name resolves
 * but nothing answers (outbound UDP filtered, a common server set-up) every peer connection of the
 * SFU and of the recorder took 5 s to gather — serialized per media worker by its gather lock —
 * and the node told Google about every transport it opened. After this, a werift ICE connection
 * without a configured STUN server gathers its host candidates only; one with a STUN server is
 * unchanged. Idempotent; called where the media workers and the recorder start.
 */
export function disableWeriftDefaultStun(): void {
  if (applied) return;
  applied = true;
  const gather = Connection.prototype.gatherCandidates;
  Connection.prototype.gatherCandidates = function gatherWithoutDefaultStun(this: Connection) {
    if (!this.options.stunServer) this.stunServer = undefined;
    return gather.call(this);
  };
}
