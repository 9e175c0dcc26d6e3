import { useEffect, useState } from "react";
import { ROOM_ROLE_LABELS, type ConnectionQualityDto, type HandQueueEntry, type ParticipantDto, type RoomDto, type WaitingDto } from "@vtp/protocol";
import { Icon } from "../ui/Icon";
import { avatarColor, initials } from "../ui/RoleBadge";
import type { RoomActions } from "./useRoom";
import { QualityBadge } from "./quality";

type Run = (what: string, fn: () => Promise<unknown>) => void;

/** People in the class; for the host also the waiting room, the hand queue and per-person controls. */
export function ParticipantsPanel({
  room,
  participants,
  handQueue,
  waiting,
  meId,
  isHost,
  quality,
  actions,
  run,
  onClose,
}: {
  room: RoomDto;
  participants: ParticipantDto[];
  handQueue: HandQueueEntry[];
  waiting: WaitingDto[];
  meId: string;
  isHost: boolean;
  /** Connection quality by participant id (a host has everyone's, a student only their own). */
  quality?: Map<string, ConnectionQualityDto>;
  actions: RoomActions;
  run: Run;
  onClose: () => void;
}) {
  // The switch moves at once; the server's room-updated confirms (or corrects) it.
  const [chatOn, setChatOn] = useState(room.settings.chatEnabled);
  useEffect(() => setChatOn(room.settings.chatEnabled), [room.settings.chatEnabled]);
  return (
    <section className="panel" aria-labelledby="people-h" data-testid="participants-panel">
      <header className="panel-head">
        <h2 id="people-h">People ({participants.length})</h2>
        <button type="button" className="btn btn-ghost btn-icon" onClick={onClose} aria-label="Close people">
          <Icon name="close" />
        </button>
      </header>
      <div className="panel-body">
        {isHost && waiting.length > 0 && (
          <div className="panel-section" data-testid="waiting-list">
            <h3>Waiting to join ({waiting.length})</h3>
            <ul className="people">
              {waiting.map((person) => (
                <li key={person.userId} className="person" data-testid="waiting-person" data-user-id={person.userId}>
                  <Avatar id={person.userId} name={person.name} />
                  <span className="grow">{person.name}</span>
                  <button
                    type="button"
                    className="btn btn-primary btn-sm"
                    onClick={() => run(`${person.name} was let in.`, () => actions.admit(person.userId))}
                    data-testid="admit"
                  >
                    Admit
                  </button>
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm"
                    onClick={() => run(`${person.name} was turned away.`, () => actions.reject(person.userId))}
                    data-testid="reject"
                  >
                    Deny
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
        {handQueue.length > 0 && (
          <div className="panel-section" data-testid="hand-queue">
            <h3>Raised hands</h3>
            <ol className="people">
              {handQueue.map((hand, i) => (
                <li
                  key={hand.participantId}
                  className="person"
                  data-testid="hand-queue-entry"
                  data-participant-id={hand.participantId}
                  data-user-id={hand.userId}
                >
                  <span className="queue-pos" role="img" aria-label={`Position ${i + 1}`}>
                    {i + 1}
                  </span>
                  <span className="grow">{hand.participantId === meId ? "You" : hand.name}</span>
                  {isHost && (
                    <span className="hand-actions">
                      <button
                        type="button"
                        className="btn btn-primary btn-sm"
                        onClick={() => run(speakerNow(hand.name), () => actions.allowToSpeak(hand.participantId))}
                        title={allowTitle(hand.name)}
                        data-testid="allow-to-speak"
                      >
                        Allow to speak
                      </button>
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        onClick={() => run(`${hand.name}'s hand was lowered.`, () => actions.lowerHand(hand.participantId))}
                        aria-label={`Lower ${hand.name}'s hand`}
                        data-testid="lower-hand"
                      >
                        Lower
                      </button>
                    </span>
                  )}
                </li>
              ))}
            </ol>
          </div>
        )}
        {isHost && (
          <div className="panel-section">
            <label className="checkbox">
              <input
                type="checkbox"
                checked={chatOn}
                onChange={(event) => {
                  const on = event.target.checked;
                  setChatOn(on);
                  run(on ? "Chat is on." : "Chat is off.", () =>
                    actions.settings({ chatEnabled: on }).catch((err) => {
                      setChatOn(!on);
                      throw err;
                    }),
                  );
                }}
                data-testid="toggle-chat-enabled"
              />
              Students can chat
            </label>
            <p className="small muted role-help" data-testid="role-help">
              <strong>Teacher</strong> runs the class. <strong>Speakers</strong> may use their microphone, camera and screen share. <strong>Students</strong>{" "}
              {room.settings.studentsCanPublish ? "may use their microphone and camera too in this class" : "listen, chat and raise a hand"}.
            </p>
          </div>
        )}
        <div className="panel-section">
          <h3>In class</h3>
          <ul className="people" data-testid="participant-list">
            {participants.map((participant) => (
              <li key={participant.id} className="person" data-testid="participant" data-user-id={participant.userId} data-role={participant.role}>
                <Avatar id={participant.userId} name={participant.name} />
                <span className="grow person-name">
                  <span>
                    {participant.name}
                    {participant.id === meId && <span className="muted"> (you)</span>}
                  </span>
                  <span className="person-role" data-testid="participant-role">
                    {ROOM_ROLE_LABELS[participant.role]}
                    {!participant.connected ? " · reconnecting" : ""}
                  </span>
                </span>
                <QualityBadge quality={quality?.get(participant.id)} compact />
                {participant.handRaised && <Icon name="hand" size={16} title="Hand raised" />}
                <Icon name={participant.media.audio ? "mic" : "micOff"} size={16} title={participant.media.audio ? "Microphone on" : "Muted"} />
                {isHost && participant.id !== meId && participant.role !== "host" && (
                  <span className="person-actions">
                    {participant.media.audio && (
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        onClick={() => run(`${participant.name} was muted. They can unmute themselves.`, () => actions.mute(participant.id))}
                        title={`Turn ${participant.name}'s microphone off (they can turn it on again)`}
                        data-testid="mute-participant"
                      >
                        Mute
                      </button>
                    )}
                    {participant.role === "student" ? (
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        onClick={() => run(speakerNow(participant.name), () => actions.promote(participant.id))}
                        title={allowTitle(participant.name)}
                        data-testid="promote"
                      >
                        Allow to speak
                      </button>
                    ) : (
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        onClick={() =>
                          run(`${participant.name} is a Student again: their microphone, camera and screen share are off.`, () =>
                            actions.demote(participant.id),
                          )
                        }
                        title={`Make ${participant.name} a Student again: their microphone, camera and screen share are turned off`}
                        data-testid="demote"
                      >
                        Make student
                      </button>
                    )}
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm danger-text"
                      onClick={() => run(`${participant.name} was removed and cannot rejoin this class.`, () => actions.remove(participant.id))}
                      title={`Send ${participant.name} out of the class; they cannot come back unless you admit them`}
                      data-testid="remove-participant"
                    >
                      Remove
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}

const speakerNow = (name: string) => `${name} is now a Speaker: they can use their microphone, camera and screen share.`;
const allowTitle = (name: string) => `Make ${name} a Speaker: they may turn on their microphone and camera and share their screen`;

function Avatar({ id, name }: { id: string; name: string }) {
  return (
    <span className="avatar avatar-sm" style={{ background: avatarColor(id) }} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
