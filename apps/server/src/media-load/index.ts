export { MediaLoadSampler, mediaNodeId, type MediaLoadSource } from "./sampler.js";
export { MediaLoadRepo, type MediaLoadSample } from "./repo.js";
export { readMediaLoadSettings, type MediaLoadSettings } from "./settings.js";
