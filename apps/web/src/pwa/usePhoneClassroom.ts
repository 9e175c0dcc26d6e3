import { mediaErrorText } from "../media/devices";
import { useAdmittedNotice } from "./admitted";
import { useAudioResume } from "./audioResume";
import { useCameraSwitch } from "./cameraSwitch";
import { useWakeLock } from "./wakeLock";

/**
 * The classroom's phone behaviour in one hook: the screen kept on while in class, the front/back
 * camera switch (`switchCamera` only where there is more than one camera and mine is on), the
 * notification when admitted from the waiting room while the tab is hidden, the sound resumed
 * when the tab comes back from the background.
 */
export function usePhoneClassroom(
  phase: string,
  classTitle: string,
  local: MediaStream | null,
  cameraOn: boolean,
  setLocal: (stream: MediaStream) => void,
  say: (text: string) => void,
) {
  const inClass = phase === "joined" || phase === "reconnecting";
  const wakeLock = useWakeLock(inClass);
  useAudioResume(inClass);
  useAdmittedNotice(phase, classTitle);
  const camera = useCameraSwitch(local, setLocal);
  return {
    wakeLock,
    switchCamera: camera.canSwitch && cameraOn ? () => void camera.switchCamera().catch((err) => say(mediaErrorText(err))) : undefined,
  };
}
