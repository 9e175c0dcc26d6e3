import { Type, type Static } from "@sinclair/typebox";
import { LiveId, Uuid } from "./input.js";

/**
 * Connection quality and low-bandwidth receiving (docs/PROTOCOL.md, "Connection quality").
 *
 * The server measures each participant's download from the SFU: the loss and round-trip time in
 * the RTCP receiver reports of their browser, and the bandwidth their browser estimates (REMB).
 * It sends `connection-quality` to that participant and to the room's hosts, never to other
 * students. A client pauses the video it receives with `pause-consumer` (the server stops
 * forwarding it) to keep the sound on a poor connection.
 */

const strict = { additionalProperties: false } as const;

export const QUALITY_LEVELS = ["good", "fair", "poor"] as const;
export const QualityLevel = Type.Union(QUALITY_LEVELS.map((level) => Type.Literal(level)));
export type QualityLevel = Static<typeof QualityLevel>;

/**
 * What the participant can do about it: `none`; `turn-off-video` (incoming video costs more than
 * the connection carries: pause it to keep the sound); `check-connection` (loss or delay hurt even
 * the sound: move closer to the Wi-Fi, close other downloads).
 */
export const QualityAdvice = Type.Union([Type.Literal("none"), Type.Literal("turn-off-video"), Type.Literal("check-connection")]);
export type QualityAdvice = Static<typeof QualityAdvice>;

/** One participant's measured download quality. */
export const ConnectionQualityDto = Type.Object({
  roomId: Type.String(),
  participantId: Type.String(),
  level: QualityLevel,
  /** Packets lost on the way to the participant, percent (0–100), from their receiver reports. */
  lossPercent: Type.Number({ minimum: 0, maximum: 100 }),
  /** Round-trip time between the SFU and the participant, ms; null before the first measurement. */
  rttMs: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  /** The bandwidth the participant's browser estimates for its download, kbit/s; null when not reported. */
  availableKbps: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  /** What the SFU sent them over the last seconds, kbit/s. */
  receivingKbps: Type.Number({ minimum: 0 }),
  advice: QualityAdvice,
});
export type ConnectionQualityDto = Static<typeof ConnectionQualityDto>;

/** Client → server: pause (or resume) one of my consumers; a paused consumer is not forwarded at all. */
export const PauseConsumerPayload = Type.Object({ roomId: Type.Optional(Uuid()), consumerId: LiveId(), paused: Type.Boolean() }, strict);
export type PauseConsumerPayload = Static<typeof PauseConsumerPayload>;

/** The quality events that need the SFU (answered MEDIA_UNAVAILABLE without media). */
export const QUALITY_MEDIA_EVENTS = ["pause-consumer"] as const;

export const QualityClientEventSchemas = {
  "pause-consumer": { payload: PauseConsumerPayload, result: Type.Object({ paused: Type.Boolean() }) },
};

export const QualityServerEventSchemas = {
  /** To the participant it measures, and to the room's hosts (every participant's). */
  "connection-quality": ConnectionQualityDto,
};
