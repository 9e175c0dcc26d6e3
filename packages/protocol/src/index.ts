export * from "./errors.js";
export * from "./common.js";
export * from "./auth.js";
export * from "./rooms.js";
export * from "./chat.js";
export * from "./signalling.js";
export * from "./recording.js";
export * from "./media.js";
