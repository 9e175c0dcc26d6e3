import "./quality.css";
import { useState } from "react";
import type { ConnectionQualityDto } from "@vtp/protocol";
import { QualityBadge } from "./QualityBadge";
import { RECEIVE_MODE_LABELS, type ReceiveMode } from "./receiveMode";

const ADVICE = {
  "turn-off-video": "Turn off incoming video to keep the sound.",
  "check-connection": "Your connection is struggling: move closer to the Wi-Fi or pause other downloads.",
  none: "",
} as const;

/**
 * My connection and what to do about it: a small chip with my quality (always there once it is
 * measured; a click opens the choices), opened by itself when the connection is fair or poor — the
 * advice and the low-bandwidth choice (all video, only the stage, audio only) — and kept open while
 * a low-bandwidth mode is on (to turn it off again). "Not now" folds it back to the chip.
 */
export function QualityAdvice({
  quality,
  mode,
  onMode,
  dismissed,
  onDismiss,
}: {
  quality: ConnectionQualityDto | undefined;
  mode: ReceiveMode;
  onMode: (mode: ReceiveMode) => void;
  dismissed: boolean;
  onDismiss: () => void;
}) {
  const [open, setOpen] = useState(false);
  const struggling = quality !== undefined && quality.level !== "good";
  if (!quality && mode === "all") return null;
  if (!((struggling && !dismissed) || open || mode !== "all"))
    return (
      <div className="quality-advice quality-compact">
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setOpen(true)} aria-expanded={false} data-testid="quality-chip">
          <QualityBadge quality={quality} />
        </button>
      </div>
    );
  const advice = quality && struggling ? ADVICE[quality.advice] : "";
  return (
    <div className={`banner quality-advice ${struggling ? "banner-warning" : ""}`} role="status" data-testid="quality-advice" data-level={quality?.level ?? ""}>
      <QualityBadge quality={quality} />
      {advice && <span data-testid="quality-advice-text">{advice}</span>}
      <fieldset className="quality-modes">
        <legend className="sr-only">Incoming video</legend>
        {(Object.keys(RECEIVE_MODE_LABELS) as ReceiveMode[]).map((option) => (
          <button
            key={option}
            type="button"
            className={`btn btn-sm ${option === mode ? "btn-primary" : "btn-ghost"}`}
            aria-pressed={option === mode}
            data-testid={`receive-mode-${option}`}
            onClick={() => onMode(option)}
          >
            {RECEIVE_MODE_LABELS[option]}
          </button>
        ))}
      </fieldset>
      {mode === "all" && (
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => {
            setOpen(false);
            onDismiss();
          }}
          data-testid="quality-dismiss"
        >
          Not now
        </button>
      )}
    </div>
  );
}
