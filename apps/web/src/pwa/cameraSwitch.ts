import { useEffect, useState } from "react";

/** The camera to open next: the other facing mode on phones, otherwise the next camera in the list. */
export function nextCamera(
  current: { facingMode?: string; deviceId?: string },
  cameras: { deviceId: string }[],
): { facingMode: "user" | "environment"; deviceId: string | null } {
  const facingMode = current.facingMode === "environment" ? "user" : "environment";
  const index = cameras.findIndex((camera) => camera.deviceId === current.deviceId);
  const next = cameras.length > 1 ? cameras[(index + 1) % cameras.length] : undefined;
  return { facingMode, deviceId: next && next.deviceId !== current.deviceId ? next.deviceId : null };
}

async function videoInputs(): Promise<MediaDeviceInfo[]> {
  const list = await navigator.mediaDevices.enumerateDevices();
  return list.filter((device) => device.kind === "videoinput");
}

/**
 * Front/back camera switch for devices with more than one camera. `apply` receives the new stream
 * (the same audio tracks, the new video track); the old video track is stopped first, because
 * phones often cannot open two cameras at once.
 */
export function useCameraSwitch(local: MediaStream | null, apply: (stream: MediaStream) => void) {
  const [count, setCount] = useState(0);
  useEffect(() => {
    const devices = navigator.mediaDevices;
    if (!devices?.enumerateDevices) return;
    let alive = true;
    const refresh = () => {
      videoInputs().then(
        (cameras) => alive && setCount(cameras.length),
        () => {},
      );
    };
    refresh();
    devices.addEventListener("devicechange", refresh);
    return () => {
      alive = false;
      devices.removeEventListener("devicechange", refresh);
    };
  }, []);

  const switchCamera = async () => {
    const current = local?.getVideoTracks()[0];
    const settings = current?.getSettings() ?? {};
    const target = nextCamera(settings, await videoInputs());
    current?.stop();
    const open = (video: MediaTrackConstraints | true) => navigator.mediaDevices.getUserMedia({ video, audio: false });
    let opened: MediaStream;
    try {
      opened = await open(settings.facingMode ? { facingMode: { exact: target.facingMode } } : { deviceId: { exact: target.deviceId ?? "" } });
    } catch (err) {
      // That camera would not open: go back to the one we had.
      opened = await open(settings.deviceId ? { deviceId: { exact: settings.deviceId } } : true).catch(() => {
        throw err;
      });
    }
    apply(new MediaStream([...(local?.getAudioTracks() ?? []), ...opened.getVideoTracks()]));
  };

  return { canSwitch: count > 1, switchCamera };
}
