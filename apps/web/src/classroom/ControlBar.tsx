import type { ReactNode } from "react";
import { Icon, type IconName } from "../ui/Icon";

function Control({
  icon,
  label,
  active,
  off,
  onClick,
  disabled,
  testId,
  badge,
  title,
  danger,
}: {
  icon: IconName;
  label: string;
  active?: boolean;
  off?: boolean;
  onClick: () => void;
  disabled?: boolean;
  testId: string;
  badge?: ReactNode;
  title?: string;
  danger?: boolean;
}) {
  return (
    <button
      type="button"
      className={["ctrl", active && "active", off && "off", danger && "danger"].filter(Boolean).join(" ")}
      onClick={onClick}
      disabled={disabled}
      aria-pressed={active === undefined && off === undefined ? undefined : (active ?? !off)}
      title={title ?? label}
      data-testid={testId}
    >
      <span className="ctrl-icon">
        <Icon name={icon} />
        {badge}
      </span>
      <span className="ctrl-label">{label}</span>
    </button>
  );
}

export interface ControlBarProps {
  micOn: boolean;
  cameraOn: boolean;
  sharing: boolean;
  canPublish: boolean;
  handRaised: boolean;
  chatOpen: boolean;
  peopleOpen: boolean;
  unread: number;
  waiting: number;
  isHost: boolean;
  recording: boolean;
  onRecord: () => void;
  onMic: () => void;
  onCamera: () => void;
  onScreen: () => void;
  onHand: () => void;
  onChat: () => void;
  onPeople: () => void;
  onLeave: () => void;
  onEnd: () => void;
}

/** The classroom's controls. Students who may not publish see why the media buttons are off. */
export function ControlBar(p: ControlBarProps) {
  const why = p.canPublish ? undefined : "Raise your hand: the teacher can let you speak";
  return (
    <nav className="controls" aria-label="Class controls">
      <div className="controls-group">
        <Control
          icon={p.micOn ? "mic" : "micOff"}
          label={p.micOn ? "Mute" : "Unmute"}
          off={!p.micOn}
          onClick={p.onMic}
          disabled={!p.canPublish}
          title={why}
          testId="control-mic"
        />
        <Control
          icon={p.cameraOn ? "video" : "videoOff"}
          label={p.cameraOn ? "Stop video" : "Start video"}
          off={!p.cameraOn}
          onClick={p.onCamera}
          disabled={!p.canPublish}
          title={why}
          testId="control-camera"
        />
        {p.canPublish && (
          <Control icon="screen" label={p.sharing ? "Stop sharing" : "Share screen"} active={p.sharing} onClick={p.onScreen} testId="control-screen" />
        )}
        {p.isHost && (
          <Control icon="record" label={p.recording ? "Stop recording" : "Record"} active={p.recording} onClick={p.onRecord} testId="control-record" />
        )}
        {!p.isHost && <Control icon="hand" label={p.handRaised ? "Lower hand" : "Raise hand"} active={p.handRaised} onClick={p.onHand} testId="control-hand" />}
      </div>
      <div className="controls-group">
        <Control
          icon="chat"
          label="Chat"
          active={p.chatOpen}
          onClick={p.onChat}
          testId="control-chat"
          badge={
            p.unread > 0 && !p.chatOpen ? (
              <span className="ctrl-badge" data-testid="chat-unread" role="img" aria-label={`${p.unread} unread`}>
                {p.unread > 99 ? "99+" : p.unread}
              </span>
            ) : null
          }
        />
        <Control
          icon="users"
          label="People"
          active={p.peopleOpen}
          onClick={p.onPeople}
          testId="control-participants"
          badge={
            p.isHost && p.waiting > 0 ? (
              <span className="ctrl-badge" data-testid="waiting-badge" role="img" aria-label={`${p.waiting} waiting`}>
                {p.waiting}
              </span>
            ) : null
          }
        />
      </div>
      <div className="controls-group">
        <Control icon="leave" label="Leave" onClick={p.onLeave} testId="control-leave" danger />
        {p.isHost && <Control icon="stop" label="End class" onClick={p.onEnd} testId="control-end" danger />}
      </div>
    </nav>
  );
}
