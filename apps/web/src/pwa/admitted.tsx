import { useEffect, useRef, useState } from "react";

const supported = () => typeof window !== "undefined" && "Notification" in window;

/**
 * Shows a system notification: through the service worker when it is active (Android's Chrome has
 * no page notifications), else the page's own. A first visit's worker may still be installing —
 * its registration cannot show one yet (a TypeError) — so the page's own is the fallback, and
 * where there is none, the worker once it is ready (a few seconds at most).
 */
async function notify(title: string, body: string): Promise<void> {
  const options = { body, icon: "/icons/icon-192.png", badge: "/icons/icon-192.png", tag: "vtp-admitted" };
  const container = navigator.serviceWorker;
  const registration = await container?.getRegistration().catch(() => undefined);
  if (registration?.active) {
    try {
      return await registration.showNotification(title, options);
    } catch {
      // Not shown by the worker: the page's own below.
    }
  }
  try {
    const note = new Notification(title, options);
    note.onclick = () => {
      window.focus();
      note.close();
    };
  } catch (err) {
    if (!container) throw err;
    const ready = await Promise.race([container.ready, new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000))]);
    if (!ready) throw err;
    await ready.showNotification(title, options);
  }
}

/** When the teacher admits me from the waiting room while the tab is hidden, a notification says so. */
export function useAdmittedNotice(phase: string, classTitle: string): void {
  const previous = useRef(phase);
  useEffect(() => {
    const was = previous.current;
    previous.current = phase;
    if (was !== "waiting" || phase !== "joined" || !document.hidden || !supported() || Notification.permission !== "granted") return;
    notify("You are in the class", `${classTitle}: the teacher let you in.`).catch(() => {});
  }, [phase, classTitle]);
}

/** In the waiting room: asks (only on a click) whether to notify when admitted, if not decided yet. */
export function NotifyWhenAdmitted() {
  const [permission, setPermission] = useState(() => (supported() ? Notification.permission : "denied"));
  if (permission === "denied") return null;
  if (permission === "granted")
    return (
      <p className="muted small" data-testid="notify-on">
        You will get a notification when you are let in, even if you switch to another app.
      </p>
    );
  return (
    <button
      type="button"
      className="btn btn-ghost btn-sm"
      onClick={() => {
        Notification.requestPermission().then(setPermission, () => setPermission("denied"));
      }}
      data-testid="notify-ask"
    >
      Notify me when I am let in
    </button>
  );
}
