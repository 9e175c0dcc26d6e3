import { useEffect, useMemo, useState } from "react";
import type { RoomDto } from "@vtp/protocol";
import { EffectsSettingsForm, setRoleDefault, useBackgroundTrack } from "../media/effects";
import { listDevices, mediaErrorText, openStream, stopStream, type DeviceChoice } from "../media/devices";
import { useAudioLevel } from "../media/useLevel";
import { VideoView } from "../media/VideoView";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Icon } from "../ui/Icon";
import { useTitle } from "../ui/Page";
import { StatusBadge } from "../ui/StatusBadge";

/** Before entering: pick camera and microphone, see and hear yourself, then join. */
export function PreJoin({
  room,
  isHost,
  userName,
  onJoin,
}: {
  room: RoomDto;
  isHost: boolean;
  userName: string;
  onJoin: (choice: DeviceChoice, stream: MediaStream | null) => void;
}) {
  useTitle(`Join ${room.title}`);
  const [cameras, setCameras] = useState<MediaDeviceInfo[]>([]);
  const [mics, setMics] = useState<MediaDeviceInfo[]>([]);
  const [choice, setChoice] = useState<DeviceChoice>({ cameraId: null, micId: null, cameraOn: isHost, micOn: isHost });
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [error, setError] = useState<string | null>(null);
  const level = useAudioLevel(choice.micOn ? stream : null);
  useEffect(() => setRoleDefault(isHost), [isHost]);
  // The preview shows the chosen background (media/effects).
  const camera = useBackgroundTrack(stream?.getVideoTracks()[0] ?? null);
  const preview = useMemo(() => (camera ? new MediaStream([camera]) : null), [camera]);

  // (Re)open the preview whenever the choice changes.
  useEffect(() => {
    let alive = true;
    let opened: MediaStream | null = null;
    setError(null);
    openStream({ cameraId: choice.cameraId, micId: choice.micId, video: choice.cameraOn, audio: choice.micOn })
      .then(async (preview) => {
        if (!alive) return stopStream(preview);
        opened = preview;
        setStream(preview);
        const devices = await listDevices();
        if (!alive) return;
        setCameras(devices.cameras);
        setMics(devices.mics);
      })
      .catch((err) => {
        if (!alive) return;
        setStream(null);
        setError(mediaErrorText(err));
      });
    return () => {
      alive = false;
      stopStream(opened);
    };
  }, [choice.cameraId, choice.micId, choice.cameraOn, choice.micOn]);

  const join = () => {
    // The stream is handed over: the classroom owns it from now on.
    const preview = stream;
    setStream(null);
    onJoin(choice, preview?.getTracks().length ? new MediaStream(preview.getTracks().map((t) => t.clone())) : null);
  };

  const hasVideo = !!stream?.getVideoTracks().length;
  return (
    <div className="container prejoin">
      <div className="prejoin-grid">
        <section className="prejoin-preview" aria-label="Preview">
          <div className="preview-frame">
            {hasVideo ? (
              <VideoView stream={preview} muted mirror className="preview-video" testId="prejoin-preview" />
            ) : (
              <div className="preview-off">
                <Icon name="videoOff" size={36} />
                <span>{choice.cameraOn ? "Starting camera…" : "Camera is off"}</span>
              </div>
            )}
            <div className="preview-bar">
              <Button
                className={`round ${choice.micOn ? "" : "off"}`}
                onClick={() => setChoice((current) => ({ ...current, micOn: !current.micOn }))}
                aria-pressed={choice.micOn}
                aria-label={choice.micOn ? "Turn microphone off" : "Turn microphone on"}
                data-testid="prejoin-mic-toggle"
              >
                <Icon name={choice.micOn ? "mic" : "micOff"} />
              </Button>
              <Button
                className={`round ${choice.cameraOn ? "" : "off"}`}
                onClick={() => setChoice((current) => ({ ...current, cameraOn: !current.cameraOn }))}
                aria-pressed={choice.cameraOn}
                aria-label={choice.cameraOn ? "Turn camera off" : "Turn camera on"}
                data-testid="prejoin-camera-toggle"
              >
                <Icon name={choice.cameraOn ? "video" : "videoOff"} />
              </Button>
            </div>
          </div>
          <div className="meter" aria-hidden={!choice.micOn}>
            <Icon name="mic" size={16} />
            {/* biome-ignore lint/a11y/useSemanticElements: a styled bar updated many times a second; <meter> cannot be styled alike across browsers. */}
            <div
              className="meter-track"
              role="meter"
              aria-label="Microphone level"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(level * 100)}
              data-testid="mic-level"
            >
              <div className="meter-fill" style={{ width: `${Math.round(level * 100)}%` }} />
            </div>
          </div>
        </section>
        <section className="card prejoin-side" aria-labelledby="prejoin-h">
          <StatusBadge status={room.status} scheduledStart={room.scheduledStart} />
          <h1 id="prejoin-h">{room.title}</h1>
          <p className="muted">
            {isHost
              ? room.status === "live"
                ? "Your class is live. Check your camera and microphone, then go back in."
                : "Starting the class makes it live for your students."
              : `With ${room.hostName}. You join as ${userName}.`}
          </p>
          {error && <Alert kind="warning">{error}</Alert>}
          <div className="form">
            <div className="field">
              <label htmlFor="pj-camera">Camera</label>
              <select
                id="pj-camera"
                className="select"
                value={choice.cameraId ?? cameras[0]?.deviceId ?? ""}
                onChange={(event) => setChoice((current) => ({ ...current, cameraId: event.target.value, cameraOn: true }))}
                disabled={!cameras.length}
                data-testid="prejoin-camera-select"
              >
                {cameras.length === 0 && <option value="">No camera found</option>}
                {cameras.map((device, i) => (
                  <option key={device.deviceId || i} value={device.deviceId}>
                    {device.label || `Camera ${i + 1}`}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="pj-mic">Microphone</label>
              <select
                id="pj-mic"
                className="select"
                value={choice.micId ?? mics[0]?.deviceId ?? ""}
                onChange={(event) => setChoice((current) => ({ ...current, micId: event.target.value, micOn: true }))}
                disabled={!mics.length}
                data-testid="prejoin-mic-select"
              >
                {mics.length === 0 && <option value="">No microphone found</option>}
                {mics.map((device, i) => (
                  <option key={device.deviceId || i} value={device.deviceId}>
                    {device.label || `Microphone ${i + 1}`}
                  </option>
                ))}
              </select>
            </div>
            <EffectsSettingsForm />
            {!isHost && <p className="small muted">Students start as listeners. Raise your hand and the teacher can let you speak.</p>}
            <Button variant="primary" block onClick={join} data-testid="prejoin-join">
              {isHost ? (room.status === "live" ? "Enter class" : "Start class") : "Join class"}
            </Button>
          </div>
        </section>
      </div>
    </div>
  );
}
