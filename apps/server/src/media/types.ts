/**
 * The media DTOs, re-exported from the shared protocol package (packages/protocol/src/media.ts)
 * so that every file of the media layer imports them from one place.
 */
export * from "../../../../packages/protocol/src/media.js";
