import type { ParticipantDto } from "@vtp/protocol";
import { stageParticipant } from "./state";
import { Tile } from "./Tile";
import type { RemoteMedia } from "../media/session";

/**
 * The main view (a screen share, else the teacher) and a grid of everyone else. My own tile
 * shows my local camera; other people's video comes from the media layer (`remote`, by participant id).
 */
export function Stage({
  participants,
  meId,
  local,
  screen,
  speakingMe,
  remote,
  localVideo,
  localAudio,
  speakingId,
}: {
  participants: ParticipantDto[];
  meId: string;
  local: MediaStream | null;
  screen: MediaStream | null;
  speakingMe: boolean;
  localVideo: boolean;
  localAudio: boolean;
  remote: Map<string, RemoteMedia>;
  speakingId: string | null;
}) {
  const me = participants.find((p) => p.id === meId);
  const sharer = screen && me ? me : participants.find((p) => p.media.screen && remote.get(p.id)?.screen);
  const main = sharer ?? stageParticipant({ participants: participants.map((p) => ({ ...p, media: { ...p.media, screen: false } })) });
  const streamOf = (participant: ParticipantDto) => (participant.id === meId ? local : (remote.get(participant.id)?.camera ?? null));
  const mainStream = sharer ? (sharer.id === meId ? screen : (remote.get(sharer.id)?.screen ?? null)) : main ? streamOf(main) : null;
  // When a screen is on the stage, its presenter's camera joins the grid.
  const others = participants.filter((p) => sharer || p.id !== main?.id);
  return (
    <div className={`stage-area ${others.length ? "" : "solo"}`}>
      {main && (
        <div className="stage-main">
          <Tile
            p={main}
            stream={mainStream}
            isMe={main.id === meId}
            speaking={!sharer && (main.id === meId ? speakingMe : main.id === speakingId)}
            main
            screen={!!sharer}
            {...(main.id === meId ? (sharer ? { audioOn: localAudio } : { videoOn: localVideo, audioOn: localAudio }) : {})}
          />
        </div>
      )}
      {others.length > 0 && (
        <div className="grid" data-count={others.length}>
          {others.map((participant) => (
            <Tile
              key={participant.id}
              p={participant}
              stream={streamOf(participant)}
              isMe={participant.id === meId}
              speaking={participant.id === meId ? speakingMe : participant.id === speakingId}
              {...(participant.id === meId ? { videoOn: localVideo, audioOn: localAudio } : {})}
            />
          ))}
        </div>
      )}
    </div>
  );
}
