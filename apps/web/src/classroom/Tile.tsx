import { ROOM_ROLE_LABELS, type ParticipantDto } from "@vtp/protocol";
import { VideoView } from "../media/VideoView";
import { Icon } from "../ui/Icon";
import { avatarColor, initials } from "../ui/RoleBadge";

/**
 * One person on the stage or in the grid: video or avatar, name, mute and hand state. The stage
 * (and any screen share) shows the whole picture; small grid tiles are cropped to fill.
 */
export function Tile({
  p,
  stream,
  isMe,
  speaking,
  main,
  screen,
  videoOn,
  audioOn: localAudio,
}: {
  p: ParticipantDto;
  stream: MediaStream | null;
  isMe: boolean;
  speaking: boolean;
  main?: boolean;
  screen?: boolean;
  videoOn?: boolean;
  audioOn?: boolean;
}) {
  const hasVideo = (videoOn ?? true) && !!stream?.getVideoTracks().some((t) => t.readyState === "live");
  const audioOn = localAudio ?? p.media.audio;
  const label = `${p.name}${isMe ? " (you)" : ""}${p.role === "student" ? "" : `, ${ROOM_ROLE_LABELS[p.role].toLowerCase()}`}${audioOn ? "" : ", muted"}${p.handRaised ? ", hand raised" : ""}`;
  return (
    <figure
      className={["tile", main && "tile-main", speaking && "speaking", !p.connected && "tile-away"].filter(Boolean).join(" ")}
      data-testid="video-tile"
      data-user-id={p.userId}
      data-participant-id={p.id}
      data-screen={screen ? "true" : undefined}
      aria-label={label}
    >
      {hasVideo ? (
        <VideoView stream={stream} muted={isMe} mirror={isMe && !screen} className={screen || main ? "tile-video contain" : "tile-video"} />
      ) : (
        <div className="tile-avatar" aria-hidden="true">
          <span style={{ background: avatarColor(p.userId) }}>{initials(p.name)}</span>
        </div>
      )}
      <figcaption className="tile-name">
        {!audioOn && <Icon name="micOff" size={14} title="Muted" />}
        <span>
          {screen ? `${p.name}'s screen` : p.name}
          {isMe && !screen ? " (you)" : ""}
        </span>
        {p.role !== "student" && !screen && <span className="tile-role">{ROOM_ROLE_LABELS[p.role]}</span>}
      </figcaption>
      {p.handRaised && (
        <span className="tile-hand" title="Hand raised">
          <Icon name="hand" size={18} />
        </span>
      )}
      {!p.connected && <span className="tile-status">Reconnecting…</span>}
    </figure>
  );
}
