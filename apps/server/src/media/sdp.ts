import { AppError } from "../errors/index.js";
import type { SessionDescriptionDto } from "./types.js";

/** Reject what is clearly not an SDP before werift sees it (werift accepts a lot silently). */
export function assertSdp(desc: SessionDescriptionDto | undefined, expected: "offer" | "answer"): void {
  if (!desc || typeof desc !== "object" || typeof desc.sdp !== "string") {
    throw new AppError("INVALID_SDP", "A session description { type, sdp } is required");
  }
  if (desc.type !== expected) {
    throw new AppError("INVALID_SDP", `Expected an SDP ${expected}, got "${String(desc.type)}"`);
  }
  const sdp = desc.sdp;
  if (sdp.length > 200_000) throw new AppError("INVALID_SDP", "SDP too large");
  if (!/^v=0\r?\n/.test(sdp) || !/\r?\nm=(audio|video|application) /.test(sdp) || !/\r?\na=fingerprint:/.test(sdp)) {
    throw new AppError("INVALID_SDP", "The SDP is malformed (needs v=0, m= lines and a DTLS fingerprint)");
  }
  if (!/\r?\na=ice-ufrag:/.test(sdp) || !/\r?\na=ice-pwd:/.test(sdp)) {
    throw new AppError("INVALID_SDP", "The SDP has no ICE credentials");
  }
}

/** Write the announced (public) address into host candidates and c= lines. */
export function announceIp(sdp: string, announcedIp: string | undefined): string {
  if (!announcedIp) return sdp;
  return sdp.replace(/^(a=candidate:\S+ \d+ udp \d+ )(\S+)( \d+ typ host)/gim, `$1${announcedIp}$3`).replace(/^c=IN IP4 \S+/gm, `c=IN IP4 ${announcedIp}`);
}

export function toInvalidSdp(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new AppError("INVALID_SDP", `The SDP could not be applied: ${msg}`);
}

/**
 * Take rejected m-sections (port 0: a closed consumer's m-line, set inactive) out of
 * `a=group:BUNDLE`. werift keeps their mids in the group; when the rejected one is the first
 * (the offerer-tagged m-section, RFC 8843), Chromium refuses the whole offer ("The m= section
 * with mid='1' should be rejected"), so after a screen share stopped no new consumer could be
 * negotiated on that recv transport.
 */
export function unbundleRejected(sdp: string): string {
  const group = /^a=group:BUNDLE .*$/m.exec(sdp);
  if (!group) return sdp;
  const rejected = new Set<string>();
  for (const section of sdp.split(/\r?\n(?=m=)/).slice(1)) {
    if (!/^m=\S+ 0 /.test(section)) continue;
    const mid = /^a=mid:(\S+)/m.exec(section)?.[1];
    if (mid !== undefined) rejected.add(mid);
  }
  if (rejected.size === 0) return sdp;
  const mids = group[0]
    .split(" ")
    .slice(1)
    .filter((m) => !rejected.has(m.trim()));
  return mids.length ? sdp.replace(group[0], `a=group:BUNDLE ${mids.join(" ")}`) : sdp.replace(/^a=group:BUNDLE .*\r?\n/m, "");
}

/**
 * In our offers (recv transports), keep a closed consumer's m-line as an inactive member of the
 * BUNDLE group instead of a rejected one. werift writes every inactive m-section with port 0,
 * which Chromium reads as "rejected"; when that is the first m-section (the BUNDLE tag, e.g. the
 * teacher's microphone consumed first and then muted), Chromium moves the bundle to a new
 * transport and the subscriber's connection starts over and fails. Port 9 + a=inactive keeps
 * the m-line (and the transport) alive; it carries no media.
 */
export function keepInactiveInBundle(sdp: string): string {
  const parts = sdp.split(/\r?\n(?=m=)/);
  const eol = sdp.includes("\r\n") ? "\r\n" : "\n";
  const mids: string[] = [];
  let changed = false;
  for (let i = 1; i < parts.length; i++) {
    let section = parts[i];
    if (/^m=\S+ 0 /.test(section) && /^a=inactive\s*$/m.test(section)) {
      section = section.replace(/^(m=\S+) 0 /, "$1 9 ");
      parts[i] = section;
      changed = true;
    }
    const mid = /^a=mid:(\S+)/m.exec(section)?.[1];
    if (mid !== undefined && !/^m=\S+ 0 /.test(section)) mids.push(mid);
  }
  if (!changed) return sdp;
  const out = parts.join(eol);
  return /^a=group:BUNDLE .*$/m.test(out) ? out.replace(/^a=group:BUNDLE .*$/m, `a=group:BUNDLE ${mids.join(" ")}`) : out;
}
