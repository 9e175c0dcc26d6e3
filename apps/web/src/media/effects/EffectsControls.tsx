import { useEffect, useId, useRef, useState } from "react";
import { Alert } from "../../ui/Alert";
import { Icon } from "../../ui/Icon";
import { BUILT_IN_BACKGROUNDS, prepareUpload } from "./backgrounds";
import { type BackgroundChoice, saveUploadedBackground, updateEffects, uploadedBackground, useEffectsSettings } from "./settings";
import "./effects.css";

/**
 * Background (off, blur light/strong, a built-in image, my own picture) and noise suppression.
 * Shown on the pre-join screen and in the class's Effects menu; remembered on this device.
 */
export function EffectsSettingsForm() {
  const { settings, status, noiseOn } = useEffectsSettings();
  const id = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const hasUpload = settings.background === "upload" || !!uploadedBackground();
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setUploadError(null);
    try {
      saveUploadedBackground(await prepareUpload(file));
    } catch {
      setUploadError("That file could not be used as a background (choose a JPEG, PNG or WebP picture).");
    }
  };
  return (
    <div className="effects-form" data-testid="effects-form">
      <div className="field">
        <label htmlFor={`${id}-bg`}>Background</label>
        <select
          id={`${id}-bg`}
          className="select"
          value={settings.background}
          onChange={(event) => updateEffects({ background: event.target.value as BackgroundChoice })}
          data-testid="effects-background"
        >
          <option value="off">None</option>
          <option value="blur-light">Blur (light)</option>
          <option value="blur-strong">Blur (strong)</option>
          {BUILT_IN_BACKGROUNDS.map((image) => (
            <option key={image.id} value={`image:${image.id}`}>
              {image.label}
            </option>
          ))}
          {hasUpload && <option value="upload">My picture</option>}
        </select>
        <button type="button" className="effects-upload small" onClick={() => fileInput.current?.click()} data-testid="effects-upload-button">
          Use my own picture…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="image/jpeg,image/png,image/webp"
          hidden
          onChange={(event) => void onFile(event.target.files?.[0])}
          data-testid="effects-upload"
        />
        <span className="small muted">Your picture stays in this browser.</span>
      </div>
      <label className="effects-switch">
        <input type="checkbox" checked={noiseOn} onChange={(event) => updateEffects({ noiseSuppression: event.target.checked })} data-testid="effects-noise" />
        <span>Noise suppression</span>
      </label>
      {status.backgroundError && (
        <Alert kind="warning" testId="effects-message">
          {status.backgroundError}
        </Alert>
      )}
      {status.noiseError && (
        <Alert kind="warning" testId="effects-noise-message">
          {status.noiseError}
        </Alert>
      )}
      {uploadError && <Alert kind="error">{uploadError}</Alert>}
    </div>
  );
}

/** The class's "Effects" control: a button that opens the same settings above the control bar. */
export function EffectsMenu() {
  const [open, setOpen] = useState(false);
  const { settings, status } = useEffectsSettings();
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", close);
    document.addEventListener("pointerdown", close);
    return () => {
      document.removeEventListener("keydown", close);
      document.removeEventListener("pointerdown", close);
    };
  }, [open]);
  const on = settings.background !== "off" && !status.backgroundError;
  return (
    <div className="effects-menu" ref={root}>
      <button
        type="button"
        className={["ctrl", on && "active"].filter(Boolean).join(" ")}
        aria-expanded={open}
        onClick={() => setOpen((wasOpen) => !wasOpen)}
        title="Background and sound"
        data-testid="control-effects"
      >
        <span className="ctrl-icon">
          <Icon name="settings" />
        </span>
        <span className="ctrl-label">Effects</span>
      </button>
      {open && (
        <section className="effects-popover card" aria-label="Background and sound" data-testid="effects-panel">
          <EffectsSettingsForm />
        </section>
      )}
    </div>
  );
}
