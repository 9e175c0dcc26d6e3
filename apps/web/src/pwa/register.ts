import { useSyncExternalStore } from "react";
import { trackAudioContexts } from "./audioResume";

// Every AudioContext from the start, so that the class's sound can be resumed after the background.
trackAudioContexts();

/** A tiny store: the waiting worker of a new version, if any. */
let waiting: ServiceWorker | null = null;
const listeners = new Set<() => void>();
const set = (worker: ServiceWorker | null) => {
  waiting = worker;
  for (const listener of listeners) listener();
};

/**
 * Registers /sw.js (production builds, secure contexts). A new version's worker waits until the
 * person chooses to reload (`applyUpdate`); the first install takes control at once (clients.claim).
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  const container = navigator.serviceWorker;
  let reloading = false;
  container.addEventListener("controllerchange", () => {
    // Only when the person asked for the new version: the first install also changes the controller.
    if (!reloading && waiting) {
      reloading = true;
      window.location.reload();
    }
  });
  const watch = (registration: ServiceWorkerRegistration) => {
    if (registration.waiting && container.controller) set(registration.waiting);
    registration.addEventListener("updatefound", () => {
      const installing = registration.installing;
      installing?.addEventListener("statechange", () => {
        if (installing.state === "installed" && container.controller) set(installing);
      });
    });
    // Look for a new version when the app comes back to the foreground.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") registration.update().catch(() => {});
    });
  };
  window.addEventListener("load", () => {
    container.register("/sw.js", { scope: "/" }).then(watch, (err) => console.warn("service worker:", err));
  });
}

/** Asks the waiting worker to take over; the page reloads when it does. */
export function applyUpdate(): void {
  waiting?.postMessage({ type: "SKIP_WAITING" });
}

/** Whether a new version is installed and waiting. */
export function useUpdateWaiting(): boolean {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => waiting !== null,
  );
}
