import { ROOM_ROLE_LABELS, type ConnectionQualityDto, type ParticipantDto } from "@vtp/protocol";
import { VideoView } from "../media/VideoView";
import { Icon } from "../ui/Icon";
import { avatarColor, initials } from "../ui/RoleBadge";
import { QualityBadge } from "./quality/QualityBadge";

/**
 * One person on the stage or in the grid: video or avatar, name, mute and hand state, and their
 * connection quality when I have it (a host has everyone's, a student only their own). The stage
 * (and any screen share) shows the whole picture; small grid tiles are cropped to fill.
 */
export function Tile({
  p: participant,
  stream,
  isMe,
  speaking,
  main,
  screen,
  videoOn,
  audioOn: localAudio,
  quality,
}: {
  p: ParticipantDto;
  stream: MediaStream | null;
  isMe: boolean;
  speaking: boolean;
  main?: boolean;
  screen?: boolean;
  videoOn?: boolean;
  audioOn?: boolean;
  quality?: ConnectionQualityDto;
}) {
  const hasVideo = (videoOn ?? true) && !!stream?.getVideoTracks().some((t) => t.readyState === "live");
  const audioOn = localAudio ?? participant.media.audio;
  const label = `${participant.name}${isMe ? " (you)" : ""}${participant.role === "student" ? "" : `, ${ROOM_ROLE_LABELS[participant.role].toLowerCase()}`}${audioOn ? "" : ", muted"}${participant.handRaised ? ", hand raised" : ""}${quality && !screen ? `, ${quality.level} connection` : ""}`;
  return (
    <figure
      className={["tile", main && "tile-main", speaking && "speaking", !participant.connected && "tile-away"].filter(Boolean).join(" ")}
      data-testid="video-tile"
      data-user-id={participant.userId}
      data-participant-id={participant.id}
      data-screen={screen ? "true" : undefined}
      aria-label={label}
    >
      {hasVideo ? (
        <VideoView stream={stream} muted={isMe} mirror={isMe && !screen} className={screen || main ? "tile-video contain" : "tile-video"} />
      ) : (
        <div className="tile-avatar" aria-hidden="true">
          <span style={{ background: avatarColor(participant.userId) }}>{initials(participant.name)}</span>
        </div>
      )}
      <figcaption className="tile-name">
        {!screen && quality && <QualityBadge quality={quality} compact />}
        {!audioOn && <Icon name="micOff" size={14} title="Muted" />}
        <span>
          {screen ? `${participant.name}'s screen` : participant.name}
          {isMe && !screen ? " (you)" : ""}
        </span>
        {participant.role !== "student" && !screen && <span className="tile-role">{ROOM_ROLE_LABELS[participant.role]}</span>}
      </figcaption>
      {participant.handRaised && (
        <span className="tile-hand" title="Hand raised">
          <Icon name="hand" size={18} />
        </span>
      )}
      {!participant.connected && <span className="tile-status">Reconnecting…</span>}
    </figure>
  );
}
