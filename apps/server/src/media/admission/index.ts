/**
 * Admission control of a media worker (docs/MEDIA.md "Join storms"): one gate per event loop
 * (module state is per worker thread), made on first use with the MEDIA_ADMISSION_* settings.
 */
import { SettingsReader } from "../../config/settings.js";
import { AdmissionGate, type AdmissionSettings } from "./AdmissionGate.js";
import { readAdmissionSettings } from "./settings.js";

export { AdmissionGate, DEFAULT_ADMISSION, type AdmissionSettings, type AdmissionStats } from "./AdmissionGate.js";
export { LoopLag } from "./LoopLag.js";
export { tolerateLoopStalls, CONSENT_RTT_FLOOR_S } from "./consent.js";
export { readAdmissionSettings } from "./settings.js";

let gate: AdmissionGate | undefined;

/** MEDIA_ADMISSION_* from an environment; throws with every problem at once. */
export function admissionSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): AdmissionSettings {
  const read = new SettingsReader(env);
  const settings = readAdmissionSettings(read);
  if (read.problems.length) throw new Error(read.problems.join("; "));
  return settings;
}

/**
 * This thread's gate. A worker thread sees the process's environment as it was when the worker
 * started, which is where the media settings come from too (`mediaConfigFromEnv`).
 */
export function admissionGate(): AdmissionGate {
  gate ??= new AdmissionGate(admissionSettingsFromEnv());
  return gate;
}
