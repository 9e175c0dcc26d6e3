/** What the composer leaves for the Processor when a recording was composed during the class. */
export const MANIFEST = "manifest.json";

export interface ManifestWindow {
  fromMs: number;
  toMs: number;
  /** File names in the composer's directory. */
  v720: string;
  v360: string;
}

export interface ProgressiveManifest {
  version: 1;
  /** The recording's length (stop − start). */
  durationMs: number;
  /** The whole recording's sound (AAC in MP4). */
  audio: string;
  windows: ManifestWindow[];
}

/** A manifest that covers the recording from 0 to its end without a gap, or undefined. */
export function completeManifest(json: string, durationMs: number): ProgressiveManifest | undefined {
  let manifest: ProgressiveManifest;
  try {
    manifest = JSON.parse(json) as ProgressiveManifest;
  } catch {
    return undefined;
  }
  if (manifest?.version !== 1 || !Array.isArray(manifest.windows) || !manifest.windows.length) return undefined;
  if (Math.abs(manifest.durationMs - durationMs) > 50) return undefined;
  let at = 0;
  for (const w of manifest.windows) {
    if (w.fromMs !== at || !(w.toMs > w.fromMs)) return undefined;
    at = w.toMs;
  }
  return at === manifest.durationMs ? manifest : undefined;
}
