import type { ReactNode } from "react";
import type { BoardLayout, ConnectionQualityDto, ParticipantDto } from "@vtp/protocol";
import { stageParticipant } from "./state";
import { Tile } from "./Tile";
import type { RemoteMedia } from "../media/session";

/**
 * The main view (the class board when it is on the stage, else a screen share, else the teacher)
 * and a grid of everyone else. With the board, the teacher's camera sits beside it or as a small
 * tile over it (`boardLayout`). My own tile shows my local camera; other people's video comes
 * from the media layer (`remote`, by participant id).
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
  board,
  boardLayout = "side-by-side",
  quality,
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
  /** The board (BoardSlot), when something is on the class's stage. */
  board?: ReactNode;
  boardLayout?: BoardLayout;
  /** Connection quality by participant id, shown on the tiles. */
  quality?: Map<string, ConnectionQualityDto>;
}) {
  const me = participants.find((p) => p.id === meId);
  const sharer = board ? undefined : screen && me ? me : participants.find((p) => p.media.screen && remote.get(p.id)?.screen);
  const main = sharer ?? stageParticipant({ participants: participants.map((p) => ({ ...p, media: { ...p.media, screen: false } })) });
  const streamOf = (participant: ParticipantDto) => (participant.id === meId ? local : (remote.get(participant.id)?.camera ?? null));
  const mainStream = sharer ? (sharer.id === meId ? screen : (remote.get(sharer.id)?.screen ?? null)) : main ? streamOf(main) : null;
  // When a screen is on the stage, its presenter's camera joins the grid.
  const others = participants.filter((p) => sharer || p.id !== main?.id);
  return (
    <div className={`stage-area ${others.length ? "" : "solo"}`}>
      {board && (
        <div className={`stage-main stage-board layout-${boardLayout}`}>
          <div className="stage-board-main">{board}</div>
          {main && (
            <div className="stage-board-camera">
              <Tile
                p={main}
                quality={quality?.get(main.id)}
                stream={streamOf(main)}
                isMe={main.id === meId}
                speaking={main.id === meId ? speakingMe : main.id === speakingId}
                {...(main.id === meId ? { videoOn: localVideo, audioOn: localAudio } : {})}
              />
            </div>
          )}
        </div>
      )}
      {main && !board && (
        <div className="stage-main">
          <Tile
            p={main}
            quality={quality?.get(main.id)}
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
              quality={quality?.get(participant.id)}
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
