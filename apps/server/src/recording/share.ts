import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { UserRole } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { RecordingsRepo, RecordingRow } from "./repo.js";

/** Who a signed playback URL speaks for: a share link (by its row id) or a signed-in viewer. */
export type PlaybackGrant = { kind: "share"; id: string } | { kind: "user"; id: string };

/** A grant and the moment (Unix seconds) the URLs signed for it stop working. */
export interface PlaybackAccess {
  grant: PlaybackGrant;
  exp: number;
}

/** How long a freshly signed playback URL lives at most. */
export const PLAYBACK_URL_TTL_S = 6 * 3600;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
const nowS = () => Math.floor(Date.now() / 1000);
const GRANT = /^([su])\.([0-9a-f-]{36})$/i;

export interface PlaybackLinksDeps {
  repo: RecordingsRepo;
  /** HMAC key of the signed URLs. */
  secret: string;
  publicUrl: string;
  /** Whether an account (still) may watch the recording. */
  canView(user: { id: string; role: UserRole }, recording: RecordingRow): Promise<boolean>;
}

/**
 * Share links and signed playback URLs (`?g=…&exp=…&sig=…`, for img/video tags and hls.js).
 * A signed URL names the grant that issued it — a share link or a viewer — and every request
 * checks that grant again: a revoked or expired link, or a viewer who lost access, ends every
 * URL handed out for it. URLs never outlive their grant, and URLs handed out by a signed
 * request carry that request's own end.
 */
export class PlaybackLinks {
  constructor(private readonly deps: PlaybackLinksDeps) {}

  async create(recordingId: string, createdBy: string, expiresInHours?: number) {
    const token = randomBytes(24).toString("base64url");
    const expiresAt = expiresInHours ? new Date(Date.now() + expiresInHours * 3600_000) : null;
    await this.deps.repo.addShare({ recordingId, tokenHash: hashToken(token), createdBy, expiresAt });
    return {
      url: `${this.deps.publicUrl.replace(/\/$/, "")}/shared/recordings/${token}`,
      apiUrl: `/api/v1/shared/recordings/${token}`,
      token,
      expiresAt: expiresAt?.toISOString() ?? null,
    };
  }

  async revoke(recordingId: string): Promise<void> {
    if ((await this.deps.repo.revokeShares(recordingId)) === 0) throw new AppError("SHARE_NOT_FOUND", "This recording has no active share link");
  }

  /** The recording id of a live share link, and the access its URLs get (never past the link's end). */
  async byToken(token: string): Promise<{ recordingId: string; access: PlaybackAccess }> {
    const share = token.length > 10 && token.length < 100 ? await this.deps.repo.shareByHash(hashToken(token)) : undefined;
    if (!share) throw new AppError("SHARE_NOT_FOUND", "This link does not exist, was revoked or has expired");
    const ends = share.expires_at ? Math.floor(new Date(share.expires_at).getTime() / 1000) : Infinity;
    return { recordingId: share.recording_id, access: { grant: { kind: "share", id: share.id }, exp: Math.min(nowS() + PLAYBACK_URL_TTL_S, ends) } };
  }

  /** Access for a signed-in viewer's URLs (checked against the account on every request). */
  forUser(userId: string): PlaybackAccess {
    return { grant: { kind: "user", id: userId }, exp: nowS() + PLAYBACK_URL_TTL_S };
  }

  /** The query string that lets `/api/v1/recordings/:id/*` files be fetched under `access`. */
  query(recordingId: string, access: PlaybackAccess): string {
    const grant = `${access.grant.kind === "share" ? "s" : "u"}.${access.grant.id}`;
    return `g=${grant}&exp=${access.exp}&sig=${this.mac(recordingId, grant, access.exp).toString("base64url")}`;
  }

  /**
   * The access a signed request carries, if its signature is right, it has not ended and its
   * grant still stands for this recording; undefined otherwise.
   */
  async check(recording: RecordingRow, query: Record<string, unknown>): Promise<PlaybackAccess | undefined> {
    const { g: grantParam, exp, sig } = query;
    if (typeof grantParam !== "string" || typeof exp !== "string" || typeof sig !== "string" || !/^\d{1,12}$/.test(exp)) return undefined;
    const [, kind, grantId] = GRANT.exec(grantParam) ?? [];
    if (!kind || !grantId || Number(exp) < nowS()) return undefined;
    const want = this.mac(recording.id, grantParam, Number(exp));
    const got = Buffer.from(sig, "base64url");
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    const grant: PlaybackGrant = { kind: kind === "s" ? "share" : "user", id: grantId.toLowerCase() };
    return (await this.stands(grant, recording)) ? { grant, exp: Number(exp) } : undefined;
  }

  private async stands(grant: PlaybackGrant, recording: RecordingRow): Promise<boolean> {
    if (grant.kind === "share") return (await this.deps.repo.liveShare(grant.id))?.recording_id === recording.id;
    const account = await this.deps.repo.activeAccount(grant.id);
    return !!account && (await this.deps.canView(account, recording));
  }

  private mac(recordingId: string, grant: string, exp: number): Buffer {
    return createHmac("sha256", this.deps.secret).update(`${recordingId}.${grant}.${exp}`).digest();
  }
}
