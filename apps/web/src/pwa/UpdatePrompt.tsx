import { useState } from "react";
import { applyUpdate, useUpdateWaiting } from "./register";
import "./pwa.css";

/** "New version available — reload", shown when a new service worker is waiting. */
export function UpdatePrompt() {
  const waiting = useUpdateWaiting();
  const [dismissed, setDismissed] = useState(false);
  if (!waiting || dismissed) return null;
  return (
    <div className="pwa-update" role="status" data-testid="pwa-update">
      <span>New version available.</span>
      <button type="button" className="btn btn-primary btn-sm" onClick={applyUpdate} data-testid="pwa-update-reload">
        Reload
      </button>
      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDismissed(true)} aria-label="Later">
        Later
      </button>
    </div>
  );
}
