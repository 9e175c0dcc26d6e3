/** Cameras and microphones, and streams from them. */
export interface DeviceChoice {
  cameraId: string | null;
  micId: string | null;
  cameraOn: boolean;
  micOn: boolean;
}

export async function listDevices(): Promise<{ cameras: MediaDeviceInfo[]; mics: MediaDeviceInfo[] }> {
  if (!navigator.mediaDevices?.enumerateDevices) return { cameras: [], mics: [] };
  const all = await navigator.mediaDevices.enumerateDevices();
  return { cameras: all.filter((d) => d.kind === "videoinput"), mics: all.filter((d) => d.kind === "audioinput") };
}

/** A stream with the chosen devices; either part may be missing when it is off or unavailable. */
export async function openStream(choice: { cameraId: string | null; micId: string | null; video: boolean; audio: boolean }): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error("This browser cannot use a camera or microphone here (a secure https connection is needed).");
  if (!choice.video && !choice.audio) return new MediaStream();
  return navigator.mediaDevices.getUserMedia({
    video: choice.video ? { deviceId: choice.cameraId ? { exact: choice.cameraId } : undefined, width: { ideal: 1280 }, height: { ideal: 720 } } : false,
    audio: choice.audio ? { deviceId: choice.micId ? { exact: choice.micId } : undefined, echoCancellation: true, noiseSuppression: true } : false,
  });
}

export function stopStream(stream: MediaStream | null | undefined) {
  for (const t of stream?.getTracks() ?? []) t.stop();
}

/** A human sentence for getUserMedia failures. */
export function mediaErrorText(err: unknown): string {
  const name = err instanceof Error ? err.name : "";
  if (name === "NotAllowedError") return "The browser blocked the camera or microphone. Allow access in the address bar, then try again.";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "That camera or microphone was not found. Pick another one.";
  if (name === "NotReadableError") return "The camera or microphone is in use by another app.";
  return err instanceof Error ? err.message : "The camera or microphone could not be started.";
}
