/**
 * Admission control of a media worker (docs/MEDIA.md "Join storms"): one gate per event loop
 * (module state is per worker thread), run with the MEDIA_ADMISSION_* settings of the worker's
 * MediaConfig (read and checked with the rest of the configuration, media/config.ts).
 */
import { AdmissionGate, type AdmissionSettings } from "./AdmissionGate.js";

export { AdmissionGate, DEFAULT_ADMISSION, type AdmissionSettings, type AdmissionStats } from "./AdmissionGate.js";
export { LoopLag } from "./LoopLag.js";
export { tolerateLoopStalls, CONSENT_RTT_FLOOR_S } from "./consent.js";
export { readAdmissionSettings } from "./settings.js";

let gate: AdmissionGate | undefined;

/**
 * This thread's gate, with the settings of the worker that asks (a worker thread runs one
 * worker; inline workers share the thread's one event loop, so they share its gate too).
 */
export function admissionGate(settings: AdmissionSettings): AdmissionGate {
  gate ??= new AdmissionGate(settings);
  gate.settings = settings;
  return gate;
}
