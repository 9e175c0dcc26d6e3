import { useSyncExternalStore } from "react";

/** The background behind me: as the camera sees it, blurred (two strengths), or an image. */
export type BackgroundChoice = "off" | "blur-light" | "blur-strong" | `image:${string}` | "upload";

export interface EffectsSettings {
  background: BackgroundChoice;
  /** Unset: on for students, off for the teacher (see `setRoleDefault`). */
  noiseSuppression?: boolean;
}

/** What is running: a message when an effect could not start (the video goes out without it). */
export interface EffectsStatus {
  backgroundError: string | null;
  noiseError: string | null;
}

const KEY = "vtp.effects";
const UPLOAD_KEY = "vtp.effects.upload";

function load(): EffectsSettings {
  try {
    const saved = JSON.parse(globalThis.localStorage?.getItem(KEY) ?? "null") as Partial<EffectsSettings> | null;
    if (saved && typeof saved === "object") {
      const background = typeof saved.background === "string" && validChoice(saved.background) ? saved.background : "off";
      return { background, ...(typeof saved.noiseSuppression === "boolean" ? { noiseSuppression: saved.noiseSuppression } : {}) };
    }
  } catch {
    /* storage unavailable or damaged: defaults */
  }
  return { background: "off" };
}

function validChoice(value: string): value is BackgroundChoice {
  return ["off", "blur-light", "blur-strong", "upload"].includes(value) || /^image:[a-z]+$/.test(value);
}

let settings: EffectsSettings = load();
let status: EffectsStatus = { backgroundError: null, noiseError: null };
let studentDefault = true;
const listeners = new Set<() => void>();
const notify = () => {
  for (const listener of listeners) listener();
};
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** Remembered on this device (localStorage), never sent anywhere. */
export function updateEffects(change: Partial<EffectsSettings>) {
  settings = { ...settings, ...change };
  if (change.background) status = { ...status, backgroundError: null };
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(settings));
  } catch {
    /* storage full or unavailable: kept for this page */
  }
  notify();
}

export function setEffectsStatus(change: Partial<EffectsStatus>) {
  status = { ...status, ...change };
  notify();
}

/** The pre-join screen says who is joining: noise suppression is on by default for students. */
export function setRoleDefault(isHost: boolean) {
  if (studentDefault === !isHost) return;
  studentDefault = !isHost;
  notify();
}

export function noiseSuppressionOn(current: EffectsSettings = settings): boolean {
  return current.noiseSuppression ?? studentDefault;
}

/** The user's own background image (a downscaled JPEG data URL), kept in this browser only. */
export function uploadedBackground(): string | null {
  try {
    return globalThis.localStorage?.getItem(UPLOAD_KEY) ?? null;
  } catch {
    return null;
  }
}

export function saveUploadedBackground(dataUrl: string) {
  globalThis.localStorage?.setItem(UPLOAD_KEY, dataUrl);
  updateEffects({ background: "upload" });
}

interface Snapshot {
  settings: EffectsSettings;
  status: EffectsStatus;
  noiseOn: boolean;
}
let snapshot: Snapshot | null = null;
function current(): Snapshot {
  const noiseOn = noiseSuppressionOn();
  if (!snapshot || snapshot.settings !== settings || snapshot.status !== status || snapshot.noiseOn !== noiseOn) snapshot = { settings, status, noiseOn };
  return snapshot;
}

/** The settings, what is running, and whether noise suppression is on; re-renders on change. */
export function useEffectsSettings(): Snapshot {
  return useSyncExternalStore(subscribe, current, current);
}
