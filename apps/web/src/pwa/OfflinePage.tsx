import { useEffect, useState, type ReactNode } from "react";
import { readSnapshot } from "./snapshot";
import "./pwa.css";

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : null);
const minutes = (seconds: number | null) => (seconds ? `${Math.max(1, Math.round(seconds / 60))} min` : null);

/** What the app shows when it opens without a network: what works (nothing live) and what was saved. */
export function OfflinePage() {
  const snapshot = readSnapshot();
  const lastClass = snapshot?.lastClass;
  const recordings = snapshot?.recordings;
  useEffect(() => {
    document.title = "Offline · VTP";
  }, []);
  return (
    <main className="offline-page" data-testid="offline-page">
      <div className="card">
        <h1>You are offline</h1>
        <p>
          Nothing live works without a network: joining a class, chat, polls and playing recordings all need a connection. When the network is back, VTP returns
          by itself, or press Try again.
        </p>
        {!lastClass && !recordings && <p className="muted">Nothing is saved on this device yet: classes and recordings you open while online are kept here.</p>}
        <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
          Try again
        </button>
      </div>
      {lastClass && (
        <section className="card" style={{ marginTop: 16 }} data-testid="offline-class">
          <p className="muted small">The class you last looked at (saved {when(lastClass.savedAt)})</p>
          <h2>{lastClass.title}</h2>
          <p>with {lastClass.hostName}</p>
          {lastClass.description && <p>{lastClass.description}</p>}
          <ul>
            {lastClass.scheduledStart && <li>Scheduled: {when(lastClass.scheduledStart)}</li>}
            {lastClass.startedAt && <li>Started: {when(lastClass.startedAt)}</li>}
            {lastClass.endedAt && <li>Ended: {when(lastClass.endedAt)}</li>}
            <li>Join code: {lastClass.code}</li>
          </ul>
        </section>
      )}
      {recordings && (
        <section className="card" style={{ marginTop: 16 }} data-testid="offline-recordings">
          <p className="muted small">Your recordings (saved {when(recordings.savedAt)}); they play once you are online.</p>
          {recordings.items.length === 0 ? (
            <p>No recordings.</p>
          ) : (
            <ul className="offline-list">
              {recordings.items.map((item) => (
                <li key={item.id} data-testid="offline-recording">
                  <strong>{item.title}</strong>{" "}
                  <span className="muted small">{[when(item.startedAt), minutes(item.durationSeconds)].filter(Boolean).join(" · ")}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </main>
  );
}

/**
 * Opened without a network, the app cannot restore the session (it would send the person to the
 * sign-in page): it shows the offline view instead, and the app once the browser says the network
 * is back (or on "Try again").
 */
export function OfflineGate({ children }: { children: ReactNode }) {
  // Offline when the browser says so, or when the service worker answered this page from its cache.
  const [offline, setOffline] = useState(() => !navigator.onLine || document.querySelector('meta[name="vtp-offline"]') !== null);
  useEffect(() => {
    if (!offline) return;
    const online = () => setOffline(false);
    window.addEventListener("online", online);
    return () => window.removeEventListener("online", online);
  }, [offline]);
  return offline ? <OfflinePage /> : children;
}
