import { useEffect, useRef, useState } from "react";
import type { UserDto } from "@vtp/protocol";
import { errorText } from "../api/errors";
import { openStream, stopStream, mediaErrorText, type DeviceChoice } from "../media/devices";
import { useAudioLevel } from "../media/useLevel";
import { humanMessage } from "../api/errors";
import { useTitle } from "../ui/Page";
import { Loading } from "../ui/Spinner";
import { ChatPanel } from "./ChatPanel";
import { ConnectionBanners } from "./ConnectionBanners";
import { ControlBar } from "./ControlBar";
import { EndScreen } from "./EndScreen";
import { ParticipantsPanel } from "./ParticipantsPanel";
import { RoomTopBar } from "./RoomTopBar";
import { Stage } from "./Stage";
import { SocketError } from "./connection";
import { useRoom } from "./useRoom";
import { roleNoticeText } from "./state";
import { MarkerDialog } from "./MarkerDialog";
import { WaitingCard } from "./WaitingCard";
import { recordings } from "../api/recordings";
import { useMedia } from "../media/useMedia";
import { AudioSink } from "../media/AudioSink";
import { managesPolls, usePolls } from "./polls/usePolls";
import { PollsPanel } from "./polls/PollsPanel";
import { PollCard } from "./polls/PollCard";
import { openPollCount } from "./polls/pollState";
import { useQuizzes } from "./quizzes/useQuizzes";
import { QuizCard } from "./quizzes/QuizCard";
import { openQuizCount } from "./quizzes/quizState";
import { useOnline } from "../lib/useOnline";
import { EndDialog } from "./EndDialog";
import { useClassBoard } from "./board/useClassBoard";
import { useToast } from "../lib/useToast";
import { usePhoneClassroom } from "../pwa/usePhoneClassroom";
import { useClassRecording } from "./useClassRecording";
import { useBreakoutRoom } from "./breakout/useBreakoutRoom";
import { useClassQuality } from "./quality";
import { usePanel } from "./usePanel";
import { usePhoneLayout } from "./phone/usePhoneLayout";
import { useAutoHide } from "./phone/useAutoHide";
import { neighbourTab, PhoneTabs } from "./phone/PhoneTabs";
import { SwipePane } from "./phone/SwipePane";
import { PhoneBoard } from "./phone/PhoneBoard";

/**
 * The live class: stage, grid, controls, chat and people, kept in sync over the socket. On a phone
 * held upright the panels are tabs (and a swipe) under the stage; on its side the stage fills the
 * screen, the controls overlay it and hide themselves, the panels slide over (phone/).
 */
export function Classroom({
  roomId,
  user,
  choice,
  initialStream,
  onRejoin,
  preview,
}: {
  roomId: string;
  user: UserDto;
  choice: DeviceChoice;
  initialStream: MediaStream | null;
  onRejoin: () => void;
  preview?: { title: string; hostName: string };
}) {
  const { state, actions, connection } = useRoom(roomId, user.id, true);
  const [local, setLocal] = useState<MediaStream | null>(initialStream);
  const [screen, setScreen] = useState<MediaStream | null>(null);
  const [micOn, setMicOn] = useState(choice.micOn);
  const [cameraOn, setCameraOn] = useState(choice.cameraOn);
  const [toast, say] = useToast();
  const [confirmEnd, setConfirmEnd] = useState(false);
  const [marking, setMarking] = useState(false);
  const online = useOnline();
  const endDialog = useRef<HTMLDialogElement>(null);
  const { panel, setPanel, open: openPanel, toggle: togglePanel } = usePanel(actions.setChatOpen, endDialog);
  const layout = usePhoneLayout();
  const portrait = layout === "portrait";
  const overlay = useAutoHide(layout === "landscape", panel !== null);
  const me = state.me;
  const isHost = me?.role === "host";
  const polls = usePolls(connection, roomId, state.phase === "joined" ? state.joinSeq : 0, me?.role);
  const quizzes = useQuizzes(connection, roomId, state.phase === "joined" ? state.joinSeq : 0, me?.role);
  const describe = (err: unknown) => (err instanceof SocketError ? humanMessage(err.code, err.message) : errorText(err));
  useTitle(state.room?.title ?? "Class");

  const run = (done: string, fn: () => Promise<unknown>) => {
    fn().then(
      () => say(done),
      (err) => say(describe(err)),
    );
  };

  const groups = useBreakoutRoom({
    ...{ connection, roomId, me, participants: state.participants, run, describe },
    ...{ joinSeq: state.phase === "joined" ? state.joinSeq : 0, micLive: micOn && !!me?.canPublish, panelOpen: panel === "breakout" },
    togglePanel: () => setPanel((open) => (open === "breakout" ? null : "breakout")),
  });
  const canPublish = !!me?.canPublish || groups.inGroup;

  const board = useClassBoard({
    ...{ connection, roomId, run, describe, participants: state.participants },
    joinSeq: state.phase === "joined" ? state.joinSeq : 0,
    me: me ? { userId: user.id, role: me.role } : null,
    onClosePanel: () => setPanel(null),
  });

  // Track enablement follows the toggles (and the right to publish).
  useEffect(() => {
    for (const t of local?.getAudioTracks() ?? []) t.enabled = micOn && canPublish;
    for (const t of local?.getVideoTracks() ?? []) t.enabled = cameraOn && canPublish;
  }, [local, micOn, cameraOn, canPublish]);

  // Losing the right to publish (demoted) turns everything off.
  useEffect(() => {
    if (me && !canPublish) {
      setScreen((previous) => {
        stopStream(previous);
        return null;
      });
    }
  }, [me, canPublish]);

  const toggleRecording = useClassRecording(roomId, state.joinSeq, state.recording, actions, run);

  // The host muted me. (`say` is a new function each render; the notice is the trigger.)
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the notice arrives, not when `say` changes.
  useEffect(() => {
    if (state.mutedBy) {
      setMicOn(false);
      say(`${state.mutedBy} muted your microphone.`);
      actions.mutedSeen();
    }
  }, [state.mutedBy, actions]);

  // The teacher let me speak, or made me a student again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the notice arrives, not when `say` changes.
  useEffect(() => {
    if (state.roleNotice) {
      say(roleNoticeText(state.roleNotice));
      actions.roleNoticeSeen();
    }
  }, [state.roleNotice, actions]);

  // Release devices when leaving the class.
  const localRef = useRef(local);
  localRef.current = local;
  const screenRef = useRef(screen);
  screenRef.current = screen;
  useEffect(
    () => () => {
      stopStream(localRef.current);
      stopStream(screenRef.current);
    },
    [],
  );
  const over = ["ended", "removed", "rejected", "replaced", "left"].includes(state.phase);
  useEffect(() => {
    if (over) {
      stopStream(localRef.current);
      stopStream(screenRef.current);
    }
  }, [over]);

  const ensureTrack = async (kind: "audio" | "video") => {
    const current = localRef.current;
    if (current?.getTracks().some((t) => t.kind === kind && t.readyState === "live")) return true;
    try {
      const opened = await openStream({ cameraId: choice.cameraId, micId: choice.micId, video: kind === "video", audio: kind === "audio" });
      const base = localRef.current;
      const merged = new MediaStream([...(base?.getTracks().filter((t) => t.kind !== kind) ?? []), ...opened.getTracks()]);
      localRef.current = merged;
      setLocal(merged);
      return true;
    } catch (err) {
      say(mediaErrorText(err));
      return false;
    }
  };
  // Joined before the preview had opened the devices: open what was asked for.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on entering the class, with the choice made in the preview.
  useEffect(() => {
    void (async () => {
      if (choice.micOn && !(await ensureTrack("audio"))) setMicOn(false);
      if (choice.cameraOn && !(await ensureTrack("video"))) setCameraOn(false);
    })();
  }, []);
  const toggleMic = async () => {
    if (!micOn && !(await ensureTrack("audio"))) return;
    setMicOn((wasOn) => !wasOn);
  };
  const toggleCamera = async () => {
    if (!cameraOn && !(await ensureTrack("video"))) return;
    setCameraOn((wasOn) => !wasOn);
  };
  const toggleScreen = async () => {
    if (screen) {
      stopStream(screen);
      setScreen(null);
      return;
    }
    try {
      const display = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      display.getVideoTracks()[0]?.addEventListener("ended", () => setScreen(null));
      setScreen(display);
    } catch (err) {
      if (!(err instanceof Error && err.name === "NotAllowedError")) say(mediaErrorText(err));
    }
  };
  const myHand = groups.handRaised ?? state.participants.find((p) => p.id === me?.participantId)?.handRaised ?? false;
  const speaking = useAudioLevel(micOn && canPublish ? local : null) > 0.12;
  const live = (track: MediaStreamTrack | undefined) => (track && track.readyState === "live" ? track : null);
  const {
    remote,
    speaking: speakingId,
    mediaResetting,
    mediaQueued,
    localView,
    session,
  } = useMedia(
    connection,
    roomId,
    me?.participantId ?? null,
    groups.mediaSeq(state.phase === "joined" ? state.joinSeq : 0),
    {
      mic: micOn && canPublish ? live(local?.getAudioTracks()[0]) : null,
      camera: cameraOn && canPublish ? live(local?.getVideoTracks()[0]) : null,
      screen: screen && canPublish ? live(screen.getVideoTracks()[0]) : null,
    },
    (source) => {
      // The server closed one of my producers (muted or demoted by the host).
      if (source === "microphone") setMicOn(false);
      if (source === "camera") setCameraOn(false);
      if (source === "screen")
        setScreen((previous) => {
          stopStream(previous);
          return null;
        });
    },
    (err) => {
      console.warn("media:", err);
      say(err instanceof SocketError ? humanMessage(err.code, err.message) : mediaErrorText(err));
    },
    groups.mediaRoomId,
  );

  const quality = useClassQuality(connection, roomId, state, session);
  const phone = usePhoneClassroom(state.phase, state.room?.title ?? preview?.title ?? "Your class", local, cameraOn && canPublish, setLocal, say);

  if (over || state.phase === "failed") return <EndScreen phase={state.phase} error={state.error} onRejoin={onRejoin} />;
  if (state.phase === "waiting")
    return <WaitingCard title={preview?.title ?? "Your class"} hostName={preview?.hostName ?? "your teacher"} userName={user.fullName} />;
  if (!state.room || !me) return <Loading label="Joining the class…" />;
  // Upright phone, Board tab: the presented board moves from the small stage into the tab.
  const boardInTab = portrait && panel === "materials" && board.stageNode !== null;

  return (
    <div
      className={`classroom ${panel ? "with-panel" : ""}`}
      data-testid="classroom"
      data-phase={state.phase}
      data-role={me.role}
      data-layout={layout ?? "desktop"}
      data-controls={overlay.shown ? "shown" : "hidden"}
    >
      <RoomTopBar room={state.room} count={state.participants.length} isHost={isHost} recording={state.recording} onMark={() => setMarking(true)} />
      {marking && state.recording && (
        <MarkerDialog
          startedAt={state.recording.startedAt}
          onCancel={() => setMarking(false)}
          onSave={(label) => {
            setMarking(false);
            run("Moment marked in the recording.", () => recordings.marker(roomId, label));
          }}
        />
      )}
      <ConnectionBanners phase={state.phase} online={online} mediaResetting={mediaResetting} mediaQueued={mediaQueued} />
      {groups.bar}
      {quality.banner}
      <div className="room-body">
        <Stage
          participants={groups.visible}
          meId={me.participantId}
          local={localView ?? local}
          screen={screen}
          speakingMe={speaking}
          localVideo={cameraOn && canPublish}
          localAudio={micOn && canPublish}
          remote={remote}
          speakingId={speakingId}
          boardLayout={board.layout}
          board={boardInTab ? undefined : board.stageNode}
          quality={quality.byParticipant}
        />
        <AudioSink remote={remote} />
        {portrait && (
          <PhoneTabs
            active={panel}
            onSelect={openPanel}
            unread={state.unread}
            waiting={isHost ? state.waiting.length : 0}
            openPolls={openPollCount(polls.state) + openQuizCount(quizzes.state)}
          />
        )}
        <SwipePane enabled={portrait && panel !== null} tab={panel} onSwipe={(direction) => openPanel(neighbourTab(panel, direction) ?? panel)}>
          {panel === "chat" && (
            <ChatPanel
              messages={state.messages}
              myUserId={user.id}
              isHost={isHost}
              enabled={state.room.settings.chatEnabled}
              onSend={(text) =>
                actions.chat(text).catch((err) => Promise.reject(new Error(err instanceof SocketError ? humanMessage(err.code, err.message) : errorText(err))))
              }
              onDelete={(id) => run("Message deleted.", () => actions.deleteMessage(id))}
              onClose={() => openPanel(null)}
              {...groups.chat}
            />
          )}
          {panel === "people" && (
            <ParticipantsPanel
              room={state.room}
              participants={state.participants}
              handQueue={state.handQueue}
              waiting={state.waiting}
              meId={me.participantId}
              isHost={isHost}
              quality={quality.byParticipant}
              actions={actions}
              run={run}
              onClose={() => setPanel(null)}
            />
          )}
          {panel === "polls" && (
            <PollsPanel polls={polls} quizzes={quizzes} manager={managesPolls(me.role)} run={run} describe={describe} onClose={() => setPanel(null)} />
          )}
          {panel === "materials" && (boardInTab ? <PhoneBoard board={board.stageNode} materials={board.panel} /> : board.panel)}
          {panel === "breakout" && groups.panel}
        </SwipePane>
        {panel !== "polls" && !managesPolls(me.role) && <PollCard polls={polls} describe={describe} />}
        {panel !== "polls" && !managesPolls(me.role) && <QuizCard quizzes={quizzes} describe={describe} />}
      </div>
      <ControlBar
        micOn={micOn && canPublish}
        cameraOn={cameraOn && canPublish}
        sharing={!!screen}
        canPublish={canPublish}
        handRaised={myHand}
        chatOpen={panel === "chat"}
        peopleOpen={panel === "people"}
        pollsOpen={panel === "polls"}
        openPolls={openPollCount(polls.state) + openQuizCount(quizzes.state)}
        unread={state.unread}
        waiting={state.waiting.length}
        isHost={isHost}
        recording={!!state.recording}
        onRecord={toggleRecording}
        onMic={toggleMic}
        onCamera={toggleCamera}
        onScreen={toggleScreen}
        onHand={() =>
          run(myHand ? "Hand lowered." : "Hand raised. The teacher will see it.", () =>
            groups.inGroup ? groups.setHand(!myHand) : myHand ? actions.lowerHand() : actions.raiseHand(),
          )
        }
        onChat={() => togglePanel("chat")}
        onPeople={() => togglePanel("people")}
        onPolls={() => togglePanel("polls")}
        materialsOpen={panel === "materials"}
        onMaterials={() => togglePanel("materials")}
        onLeave={() => void actions.leave()}
        onEnd={() => setConfirmEnd(true)}
        extraControls={groups.control}
        onSwitchCamera={phone.switchCamera}
        wakeLock={phone.wakeLock}
        panelTabs={portrait}
      />
      <EndDialog
        dialogRef={endDialog}
        open={confirmEnd}
        onCancel={() => setConfirmEnd(false)}
        onConfirm={() => {
          setConfirmEnd(false);
          run("The class has ended.", () => actions.endRoom());
        }}
      />
      <div className="toast-region" aria-live="polite">
        {toast && (
          <div className="toast" data-testid="toast">
            {toast}
          </div>
        )}
      </div>
    </div>
  );
}
