/**
 * Background blur/replacement and microphone noise suppression (docs/WEB.md "Background and
 * sound"): the settings (per device), the form and the class's menu, and the hooks that turn the
 * camera and microphone tracks into the processed ones that are shown and published.
 */
export { EffectsMenu, EffectsSettingsForm } from "./EffectsControls";
export { setRoleDefault } from "./settings";
export { useBackgroundTrack, useNoiseSuppressedTrack } from "./useEffects";
