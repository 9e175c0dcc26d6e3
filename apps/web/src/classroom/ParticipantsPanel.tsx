import { useEffect, useState } from "react";
import { ROOM_ROLE_LABELS, type HandQueueEntry, type ParticipantDto, type RoomDto, type WaitingDto } from "@vtp/protocol";
import { Icon } from "../ui/Icon";
import { avatarColor, initials } from "../ui/RoleBadge";
import type { RoomActions } from "./useRoom";

type Run = (what: string, fn: () => Promise<unknown>) => void;

/** People in the class; for the host also the waiting room, the hand queue and per-person controls. */
export function ParticipantsPanel({
  room,
  participants,
  handQueue,
  waiting,
  meId,
  isHost,
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
              {waiting.map((w) => (
                <li key={w.userId} className="person" data-testid="waiting-person" data-user-id={w.userId}>
                  <Avatar id={w.userId} name={w.name} />
                  <span className="grow">{w.name}</span>
                  <button
                    type="button"
                    className="btn btn-primary btn-sm"
                    onClick={() => run(`${w.name} was let in.`, () => actions.admit(w.userId))}
                    data-testid="admit"
                  >
                    Admit
                  </button>
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm"
                    onClick={() => run(`${w.name} was turned away.`, () => actions.reject(w.userId))}
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
              {handQueue.map((h, i) => (
                <li key={h.participantId} className="person" data-testid="hand-queue-entry" data-participant-id={h.participantId} data-user-id={h.userId}>
                  <span className="queue-pos" role="img" aria-label={`Position ${i + 1}`}>
                    {i + 1}
                  </span>
                  <span className="grow">{h.participantId === meId ? "You" : h.name}</span>
                  {isHost && (
                    <span className="hand-actions">
                      <button
                        type="button"
                        className="btn btn-primary btn-sm"
                        onClick={() => run(speakerNow(h.name), () => actions.allowToSpeak(h.participantId))}
                        title={allowTitle(h.name)}
                        data-testid="allow-to-speak"
                      >
                        Allow to speak
                      </button>
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        onClick={() => run(`${h.name}'s hand was lowered.`, () => actions.lowerHand(h.participantId))}
                        aria-label={`Lower ${h.name}'s hand`}
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
                onChange={(e) => {
                  const on = e.target.checked;
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
            {participants.map((p) => (
              <li key={p.id} className="person" data-testid="participant" data-user-id={p.userId} data-role={p.role}>
                <Avatar id={p.userId} name={p.name} />
                <span className="grow person-name">
                  <span>
                    {p.name}
                    {p.id === meId && <span className="muted"> (you)</span>}
                  </span>
                  <span className="person-role" data-testid="participant-role">
                    {ROOM_ROLE_LABELS[p.role]}
                    {!p.connected ? " · reconnecting" : ""}
                  </span>
                </span>
                {p.handRaised && <Icon name="hand" size={16} title="Hand raised" />}
                <Icon name={p.media.audio ? "mic" : "micOff"} size={16} title={p.media.audio ? "Microphone on" : "Muted"} />
                {isHost && p.id !== meId && p.role !== "host" && (
                  <span className="person-actions">
                    {p.media.audio && (
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        onClick={() => run(`${p.name} was muted. They can unmute themselves.`, () => actions.mute(p.id))}
                        title={`Turn ${p.name}'s microphone off (they can turn it on again)`}
                        data-testid="mute-participant"
                      >
                        Mute
                      </button>
                    )}
                    {p.role === "student" ? (
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        onClick={() => run(speakerNow(p.name), () => actions.promote(p.id))}
                        title={allowTitle(p.name)}
                        data-testid="promote"
                      >
                        Allow to speak
                      </button>
                    ) : (
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        onClick={() => run(`${p.name} is a Student again: their microphone, camera and screen share are off.`, () => actions.demote(p.id))}
                        title={`Make ${p.name} a Student again: their microphone, camera and screen share are turned off`}
                        data-testid="demote"
                      >
                        Make student
                      </button>
                    )}
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm danger-text"
                      onClick={() => run(`${p.name} was removed and cannot rejoin this class.`, () => actions.remove(p.id))}
                      title={`Send ${p.name} out of the class; they cannot come back unless you admit them`}
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
