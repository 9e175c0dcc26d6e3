import { useEffect } from "react";

/**
 * Sound after the tab was in the background. Phones suspend a hidden page's AudioContexts (the
 * microphone's noise suppression, level meters) and pause its media elements; coming back, the
 * class must be heard (and my microphone sent) again without a tap. Every AudioContext the app
 * creates is remembered (`trackAudioContexts`, installed at start-up) so it can be resumed.
 */
const contexts = new Set<AudioContext>();
let tracking = false;

/** Wraps the AudioContext constructor once, so every context the app makes can be resumed later. */
export function trackAudioContexts(): void {
  if (tracking || typeof window === "undefined" || typeof window.AudioContext !== "function") return;
  tracking = true;
  const Native = window.AudioContext;
  class TrackedAudioContext extends Native {
    constructor(options?: AudioContextOptions) {
      super(options);
      contexts.add(this);
      this.addEventListener("statechange", () => {
        if (this.state === "closed") contexts.delete(this);
      });
    }
  }
  window.AudioContext = TrackedAudioContext;
}

/** Resumes suspended AudioContexts and plays again the live media elements that were stopped. */
export async function resumeAudio(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const context of contexts) {
    // "interrupted": Safari's state for a context the system took away.
    if (context.state === "suspended" || (context.state as string) === "interrupted") waits.push(context.resume().catch(() => {}));
  }
  for (const element of document.querySelectorAll<HTMLMediaElement>("audio, video")) {
    // Only what the app plays live (a stream, autoplaying); never a recording the person paused.
    if (element.srcObject && element.autoplay && element.paused) waits.push(element.play().catch(() => {}));
  }
  await Promise.all(waits);
}

/**
 * While `active` (in class): back in the foreground — visible again, resumed from frozen, shown from
 * the back/forward cache — the sound is resumed.
 */
export function useAudioResume(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const onVisible = () => {
      if (document.visibilityState === "visible") void resumeAudio();
    };
    document.addEventListener("visibilitychange", onVisible);
    document.addEventListener("resume", onVisible);
    window.addEventListener("pageshow", onVisible);
    window.addEventListener("focus", onVisible);
    return () => {
      document.removeEventListener("visibilitychange", onVisible);
      document.removeEventListener("resume", onVisible);
      window.removeEventListener("pageshow", onVisible);
      window.removeEventListener("focus", onVisible);
    };
  }, [active]);
}
