import { useEffect, useState } from "react";

export type WakeLockState = "held" | "released" | "unsupported";

/**
 * Keeps the screen on while `active` (a class): requested on start, again whenever the page comes
 * back to the foreground (the browser releases it when the tab is hidden), released at the end.
 */
export function useWakeLock(active: boolean): WakeLockState {
  const [state, setState] = useState<WakeLockState>(() => (typeof navigator !== "undefined" && "wakeLock" in navigator ? "released" : "unsupported"));
  useEffect(() => {
    if (!active || !("wakeLock" in navigator)) return;
    let alive = true;
    let sentinel: WakeLockSentinel | null = null;
    const request = async () => {
      if (document.visibilityState !== "visible" || (sentinel && !sentinel.released)) return;
      try {
        const lock = await navigator.wakeLock.request("screen");
        if (!alive) {
          await lock.release();
          return;
        }
        sentinel = lock;
        setState("held");
        lock.addEventListener("release", () => {
          if (alive) setState("released");
        });
      } catch {
        // Refused (battery saver, not visible, policy): the class goes on without it.
        if (alive) setState("released");
      }
    };
    const onVisibility = () => {
      if (document.visibilityState === "visible") void request();
    };
    void request();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      alive = false;
      document.removeEventListener("visibilitychange", onVisibility);
      sentinel?.release().catch(() => {});
      setState("released");
    };
  }, [active]);
  return state;
}
