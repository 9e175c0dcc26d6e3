import type { ReactNode } from "react";
import { EffectsMenu } from "../media/effects";
import { CountBadge } from "../ui/CountBadge";
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
  pollsOpen: boolean;
  materialsOpen: boolean;
  /** Polls open in the class (the Polls button's badge). */
  openPolls: number;
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
  onPolls: () => void;
  onMaterials: () => void;
  onLeave: () => void;
  onEnd: () => void;
  /** More controls of capabilities (the host's Groups button, classroom/breakout). */
  extraControls?: ReactNode;
  /** Front/back camera, on devices with more than one (pwa/cameraSwitch). */
  onSwitchCamera?: () => void;
  /** The screen is kept on during the class (pwa/wakeLock). */
  wakeLock?: "held" | "released" | "unsupported";
  /** On a phone held upright the panels have their own tabs (phone/PhoneTabs): no Chat/People/Polls/Materials here. */
  panelTabs?: boolean;
}

/** The buttons that open the side panels (on a phone held upright, tabs under the stage do this). */
function PanelControls(props: ControlBarProps) {
  return (
    <>
      <Control
        icon="chat"
        label="Chat"
        active={props.chatOpen}
        onClick={props.onChat}
        testId="control-chat"
        badge={<CountBadge count={props.chatOpen ? 0 : props.unread} testId="chat-unread" label="unread" />}
      />
      <Control
        icon="users"
        label="People"
        active={props.peopleOpen}
        onClick={props.onPeople}
        testId="control-participants"
        badge={<CountBadge count={props.isHost ? props.waiting : 0} testId="waiting-badge" label="waiting" />}
      />
      <Control
        icon="activity"
        label="Polls"
        active={props.pollsOpen}
        onClick={props.onPolls}
        testId="control-polls"
        badge={<CountBadge count={props.openPolls} testId="polls-badge" label="open" />}
      />
      <Control icon="copy" label="Materials" active={props.materialsOpen} onClick={props.onMaterials} testId="control-materials" />
    </>
  );
}

/** The classroom's controls. Students who may not publish see why the media buttons are off. */
export function ControlBar(props: ControlBarProps) {
  const why = props.canPublish ? undefined : "Raise your hand: the teacher can let you speak";
  return (
    <nav className="controls" aria-label="Class controls" data-wake-lock={props.wakeLock}>
      <div className="controls-group">
        <Control
          icon={props.micOn ? "mic" : "micOff"}
          label={props.micOn ? "Mute" : "Unmute"}
          off={!props.micOn}
          onClick={props.onMic}
          disabled={!props.canPublish}
          title={why}
          testId="control-mic"
        />
        <Control
          icon={props.cameraOn ? "video" : "videoOff"}
          label={props.cameraOn ? "Stop video" : "Start video"}
          off={!props.cameraOn}
          onClick={props.onCamera}
          disabled={!props.canPublish}
          title={why}
          testId="control-camera"
        />
        <EffectsMenu />
        {props.onSwitchCamera && <Control icon="switchCamera" label="Switch camera" onClick={props.onSwitchCamera} testId="control-switch-camera" />}
        {props.canPublish && (
          <Control
            icon="screen"
            label={props.sharing ? "Stop sharing" : "Share screen"}
            active={props.sharing}
            onClick={props.onScreen}
            testId="control-screen"
          />
        )}
        {props.isHost && (
          <Control
            icon="record"
            label={props.recording ? "Stop recording" : "Record"}
            active={props.recording}
            onClick={props.onRecord}
            testId="control-record"
          />
        )}
        {!props.isHost && (
          <Control icon="hand" label={props.handRaised ? "Lower hand" : "Raise hand"} active={props.handRaised} onClick={props.onHand} testId="control-hand" />
        )}
      </div>
      <div className="controls-group">
        {!props.panelTabs && <PanelControls {...props} />}
        {props.extraControls}
      </div>
      <div className="controls-group">
        {props.wakeLock === "held" && (
          <span className="wake-note" data-testid="wake-lock">
            Screen stays on
          </span>
        )}
        <Control icon="leave" label="Leave" onClick={props.onLeave} testId="control-leave" danger />
        {props.isHost && <Control icon="stop" label="End class" onClick={props.onEnd} testId="control-end" danger />}
      </div>
    </nav>
  );
}
