import { Type, type Static } from "@sinclair/typebox";
import { MultilineText, Text, Uuid } from "./input.js";

/** Live streaming of a class: REST bodies and DTOs (see docs/PROTOCOL.md, "Live streaming"). */

/**
 * Start a live stream: optionally an RTMP push (rtmp:// or rtmps:// only), viewers' chat, and
 * publishing through the server's CDN (LIVE_CDN_URL): the HLS is pushed to the bucket behind it
 * and viewers play it from there — anyone with that address can watch.
 */
export const StartLiveBody = Type.Object(
  {
    rtmpUrl: Type.Optional(Text({ minLength: 1, maxLength: 1000 })),
    chat: Type.Optional(Type.Boolean()),
    cdn: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type StartLiveBody = Static<typeof StartLiveBody>;

export const LiveLinkDto = Type.Object({
  id: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  revokedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});
export type LiveLinkDto = Static<typeof LiveLinkDto>;

/** A new stream link: the token is shown once (only its hash is stored). */
export const LiveLinkCreatedDto = Type.Object({ link: LiveLinkDto, token: Type.String(), url: Type.String() });
export type LiveLinkCreatedDto = Static<typeof LiveLinkCreatedDto>;

export const LiveChatMessageDto = Type.Object({ seq: Type.Integer(), name: Type.String(), text: Type.String(), at: Type.String({ format: "date-time" }) });
export type LiveChatMessageDto = Static<typeof LiveChatMessageDto>;

/** What a viewer (or the host) sees of a class's live stream. */
export const LiveStatusDto = Type.Object({
  roomId: Type.String(),
  title: Type.String(),
  live: Type.Boolean(),
  startedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  /** The HLS master playlist (720p/360p): relative to the server, or the CDN's absolute address when the stream is published through it; null while not live. */
  playbackUrl: Type.Union([Type.String(), Type.Null()]),
  /** Viewers seen in the last 15 s. */
  viewers: Type.Integer(),
  chatEnabled: Type.Boolean(),
  chat: Type.Array(LiveChatMessageDto),
  /** Host only: the RTMP push's state ("connecting", "pushing", "failed", "ended"), null without one. */
  rtmp: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** Host only: the class's stream links. */
  links: Type.Optional(Type.Array(LiveLinkDto)),
  /** Host only: whether this server can publish through a CDN (LIVE_CDN_URL), and whether this stream does. */
  cdnAvailable: Type.Optional(Type.Boolean()),
  cdn: Type.Optional(Type.Boolean()),
});
export type LiveStatusDto = Static<typeof LiveStatusDto>;

/** A viewer's poll: a random id of the page (counted as one viewer while it polls). */
export const LiveViewerQuery = Type.Object({ viewer: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_-]{8,64}$" })) }, { additionalProperties: false });
export type LiveViewerQuery = Static<typeof LiveViewerQuery>;

/** A chat message from a stream's viewer (rate limited; only while the host allows chat). */
export const LiveChatBody = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 60 }),
    text: MultilineText({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type LiveChatBody = Static<typeof LiveChatBody>;

export const LiveLinkParams = Type.Object({ id: Uuid(), linkId: Uuid() });
export const LiveTokenParams = Type.Object({ token: Type.String({ pattern: "^[A-Za-z0-9_-]{20,64}$" }) });
