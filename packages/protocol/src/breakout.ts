import { Type, type Static } from "@sinclair/typebox";
import { BOARD_DRAW_MAX, BoardElement, BoardPage } from "./board.js";
import { CHAT_MAX_LENGTH } from "./chat.js";
import { MultilineText, Text, Uuid } from "./input.js";

/**
 * Breakout rooms (issue 16; the shared contract is docs/PROTOCOL.md "Breakout rooms"): the host
 * (and co-teachers, who hold the host role) splits the class into 2–50 groups. A person stays a
 * participant of the class (`join-room` once; the same participant id) and is, in addition, in at
 * most one group at a time. Each group is a room of its own:
 * - media: while the socket's participant is in a group, every media event (`create-transport`,
 *   `produce`, `consume`, …, with the class's `roomId` as always) acts in the group's media room,
 *   whose id is the group's id; the media server events (`new-producer`, `producer-closed`, …)
 *   of a group carry `roomId` = the group's id. Members publish camera and microphone without
 *   being promoted. On every move (`breakout-moved`) the client starts its media over:
 *   `leave-media`, then new transports;
 * - chat: `breakout-chat-send` / `breakout-chat-message` (kept after the groups close);
 * - hand queue: `breakout-hand`, shown in the group's `hands`;
 * - help: `breakout-help` reaches every host wherever they are (`breakout-help-requested`).
 * Broadcast: a text to every group (`breakout-broadcast` → `breakout-broadcast-message`), and the
 * host's voice: while `broadcasting`, every group's media room has the host's microphone as a
 * producer of peer `broadcast:<sessionId>` (source "microphone"; consumed like any producer).
 * The whole picture goes to everyone in the class on every change (`breakout-state`).
 */

export const BREAKOUT_GROUPS_MIN = 2;
export const BREAKOUT_GROUPS_MAX = 50;
export const BREAKOUT_NAME_MAX = 60;
export const BREAKOUT_DURATION_MIN_S = 60;
export const BREAKOUT_DURATION_MAX_S = 4 * 3600;
/** Seconds between "close" (or the end of the time) and everyone being back in the main room. */
export const BREAKOUT_CLOSE_COUNTDOWN_DEFAULT_S = 10;
export const BREAKOUT_CLOSE_COUNTDOWN_MAX_S = 60;
/** `breakout-warning` goes out this long before the deadline. */
export const BREAKOUT_WARNING_S = 60;
/** Most people named in one group of a manual assignment. */
export const BREAKOUT_MEMBERS_MAX = 500;
/** The peer id of the host's voice forwarded into the groups while broadcasting. */
export const breakoutBroadcastPeerId = (sessionId: string) => `broadcast:${sessionId}`;

const strict = { additionalProperties: false } as const;

/** `auto`: balanced and random (server), `manual`: the host says who goes where, `self`: students choose. */
export const BreakoutMode = Type.Union([Type.Literal("auto"), Type.Literal("manual"), Type.Literal("self")]);
export type BreakoutMode = Static<typeof BreakoutMode>;

/** `open`: groups at work; `closing`: the countdown back to the main room runs (`returnAt`). */
export const BreakoutStatus = Type.Union([Type.Literal("open"), Type.Literal("closing")]);
export type BreakoutStatus = Static<typeof BreakoutStatus>;

export const BreakoutHandDto = Type.Object({ participantId: Type.String(), userId: Type.String(), name: Type.String(), raisedAt: Type.String() });
export type BreakoutHandDto = Static<typeof BreakoutHandDto>;

/** Someone assigned to (or visiting) a group. */
export const BreakoutMemberDto = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  /** The class participant id while in the class (null: assigned but not in the class now). */
  participantId: Type.Union([Type.String(), Type.Null()]),
  /** In the group right now (a student who left the class, or a host elsewhere: false). */
  present: Type.Boolean(),
  /** A host visiting the group (not one of its assigned members). */
  visitor: Type.Boolean(),
});
export type BreakoutMemberDto = Static<typeof BreakoutMemberDto>;

export const BreakoutGroupDto = Type.Object({
  /** UUID; also the id of the group's media room. */
  id: Type.String(),
  name: Type.String(),
  members: Type.Array(BreakoutMemberDto),
  /** A member asked for help and no host has visited since. */
  helpRequested: Type.Boolean(),
  helpRequestedAt: Type.Union([Type.String(), Type.Null()]),
  /** Someone spoke in the group's media room in the last few seconds (the SFU's speech measurement). */
  talking: Type.Boolean(),
  hands: Type.Array(BreakoutHandDto),
  /** The material the teacher picked for the group (null: none): the group's board starts on it. */
  materialId: Type.Union([Type.String(), Type.Null()]),
});
export type BreakoutGroupDto = Static<typeof BreakoutGroupDto>;

export const BreakoutStateDto = Type.Object({
  roomId: Type.String(),
  /** One opening of groups (UUID); the record and the kept chats refer to it. */
  sessionId: Type.String(),
  status: BreakoutStatus,
  mode: BreakoutMode,
  openedAt: Type.String({ format: "date-time" }),
  /** When the time runs out (null: open-ended). */
  deadline: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  /** While closing: when everyone is back in the main room. */
  returnAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  /** "Teacher is speaking to all groups". */
  broadcasting: Type.Boolean(),
  /** The host whose microphone is forwarded (while broadcasting). */
  broadcastBy: Type.Union([Type.String(), Type.Null()]),
  /** Every group's members see each group's picture too (self-choice needs it). */
  groups: Type.Array(BreakoutGroupDto),
  /** User ids of the class's students in no group. */
  unassigned: Type.Array(Type.String()),
  /** Each group keeps a per-group recording (when the host asked and recording is available). */
  recordGroups: Type.Boolean(),
});
export type BreakoutStateDto = Static<typeof BreakoutStateDto>;

export const BreakoutMessageDto = Type.Object({
  id: Type.String(),
  groupId: Type.String(),
  /** 1, 2, 3… per group. */
  seq: Type.Integer(),
  userId: Type.Union([Type.String(), Type.Null()]),
  authorName: Type.String(),
  text: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
});
export type BreakoutMessageDto = Static<typeof BreakoutMessageDto>;

/** A group as kept after it closed: its chat and who was in it. */
export const BreakoutGroupRecordDto = Type.Object({
  sessionId: Type.String(),
  groupId: Type.String(),
  name: Type.String(),
  openedAt: Type.String({ format: "date-time" }),
  closedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  memberNames: Type.Array(Type.String()),
  messages: Type.Array(BreakoutMessageDto),
});
export type BreakoutGroupRecordDto = Static<typeof BreakoutGroupRecordDto>;

// ---------------------------------------------------------------- socket payloads

export const BreakoutGroupDraft = Type.Object(
  {
    /** 1–60 characters; default "Group N". */
    name: Type.Optional(Text({ minLength: 1, maxLength: BREAKOUT_NAME_MAX })),
    /** `manual`: the user ids of the class's people in this group (each in one group at most). */
    userIds: Type.Optional(Type.Array(Uuid(), { maxItems: BREAKOUT_MEMBERS_MAX })),
    /** A class material picked for the group: the group's board shows it (MATERIAL_NOT_FOUND when not one of the class's). */
    materialId: Type.Optional(Type.Union([Uuid(), Type.Null()])),
  },
  strict,
);
export type BreakoutGroupDraft = Static<typeof BreakoutGroupDraft>;

export const BreakoutOpenPayload = Type.Object(
  {
    roomId: Uuid(),
    mode: BreakoutMode,
    /** 2–50 groups, in order. */
    groups: Type.Array(BreakoutGroupDraft, { minItems: BREAKOUT_GROUPS_MIN, maxItems: BREAKOUT_GROUPS_MAX }),
    /** The groups close by themselves after this many seconds (60–14,400); omitted or null: open-ended. */
    durationSeconds: Type.Optional(Type.Union([Type.Integer({ minimum: BREAKOUT_DURATION_MIN_S, maximum: BREAKOUT_DURATION_MAX_S }), Type.Null()])),
    /** Ask for a recording of each group (refused with RECORDING_UNAVAILABLE when it cannot be done). */
    recordGroups: Type.Optional(Type.Boolean()),
  },
  strict,
);
export type BreakoutOpenPayload = Static<typeof BreakoutOpenPayload>;

export const BreakoutRoomPayload = Type.Object({ roomId: Uuid() }, strict);
export type BreakoutRoomPayload = Static<typeof BreakoutRoomPayload>;
export const BreakoutGroupPayload = Type.Object({ roomId: Uuid(), groupId: Uuid() }, strict);
export type BreakoutGroupPayload = Static<typeof BreakoutGroupPayload>;
/** Host: move a person to a group (`groupId`) or back to the main room (null). */
export const BreakoutMovePayload = Type.Object({ roomId: Uuid(), userId: Uuid(), groupId: Type.Union([Uuid(), Type.Null()]) }, strict);
export type BreakoutMovePayload = Static<typeof BreakoutMovePayload>;
export const BreakoutClosePayload = Type.Object(
  { roomId: Uuid(), countdownSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: BREAKOUT_CLOSE_COUNTDOWN_MAX_S })) },
  strict,
);
export type BreakoutClosePayload = Static<typeof BreakoutClosePayload>;
export const BreakoutTextPayload = Type.Object({ roomId: Uuid(), text: MultilineText({ maxLength: CHAT_MAX_LENGTH * 4 }) }, strict);
export type BreakoutTextPayload = Static<typeof BreakoutTextPayload>;
export const BreakoutSwitchPayload = Type.Object({ roomId: Uuid(), on: Type.Boolean() }, strict);
export type BreakoutSwitchPayload = Static<typeof BreakoutSwitchPayload>;
/** Raise (`raised: true`) or lower my hand in my group; a host lowers another's with `participantId`. */
export const BreakoutHandPayload = Type.Object({ roomId: Uuid(), raised: Type.Boolean(), participantId: Type.Optional(Uuid()) }, strict);
export type BreakoutHandPayload = Static<typeof BreakoutHandPayload>;

/**
 * A group's own board: the document the teacher picked for the group (`surfaceId` = the material's
 * id, pages 1..`pages`) or a whiteboard of its own (`surfaceId` = "whiteboard", 1 page). Its
 * drawings (Excalidraw elements, the class board's last-writer-wins rule) are kept with the group
 * after it closes; `seq` is the group board's own sequence.
 */
export const BreakoutBoardDto = Type.Object({
  groupId: Type.String(),
  groupName: Type.String(),
  surfaceId: Type.String(),
  pages: Type.Integer({ minimum: 1 }),
  seq: Type.Integer({ minimum: 0 }),
});
export type BreakoutBoardDto = Static<typeof BreakoutBoardDto>;

/** A page of a group's board: a member (or a host) reads it; hosts read kept groups' too. */
export const BreakoutBoardPagePayload = Type.Object({ roomId: Uuid(), groupId: Uuid(), page: BoardPage }, strict);
export type BreakoutBoardPagePayload = Static<typeof BreakoutBoardPagePayload>;
/** Elements drawn on a page of the caller's group's board (1–50, as `board-draw`). */
export const BreakoutBoardDrawPayload = Type.Object(
  { roomId: Uuid(), groupId: Uuid(), page: BoardPage, elements: Type.Array(BoardElement, { minItems: 1, maxItems: BOARD_DRAW_MAX }) },
  strict,
);
export type BreakoutBoardDrawPayload = Static<typeof BreakoutBoardDrawPayload>;
/** Host: show a page (default 1) of a group's board (open or kept) to the whole class. */
export const BreakoutBoardShowPayload = Type.Object({ roomId: Uuid(), groupId: Uuid(), page: Type.Optional(BoardPage) }, strict);
export type BreakoutBoardShowPayload = Static<typeof BreakoutBoardShowPayload>;
const BoardPageResult = Type.Object({ board: BreakoutBoardDto, page: Type.Integer(), elements: Type.Array(BoardElement) });

const StateResult = Type.Object({ state: Type.Union([BreakoutStateDto, Type.Null()]) });
const NoResult = Type.Object({});

/** Client → server breakout events (merged into `ClientEvents`). */
export const BreakoutClientEventSchemas = {
  /** Host: open groups (BREAKOUT_ALREADY_OPEN when open). Moves people (`breakout-moved`). */
  "breakout-open": { payload: BreakoutOpenPayload, result: StateResult },
  /** Host: start the countdown back to the main room (default 10 s; 0 = at once). */
  "breakout-close": { payload: BreakoutClosePayload, result: StateResult },
  /** Host: move someone into a group or back to the main room. */
  "breakout-move": { payload: BreakoutMovePayload, result: StateResult },
  /**
   * Enter a group: a host visits any group (leaving the one they were in); a student enters the
   * group they were assigned to (after coming back from the main room) or, in `self` mode, any.
   */
  "breakout-join": { payload: BreakoutGroupPayload, result: Type.Object({ group: BreakoutGroupDto, messages: Type.Array(BreakoutMessageDto) }) },
  /** Back to the main room: a host, or a student in `self` mode. */
  "breakout-leave": { payload: BreakoutRoomPayload, result: NoResult },
  /** Everyone in the class: the current picture (null: no groups open). */
  "breakout-state": { payload: BreakoutRoomPayload, result: StateResult },
  /** A member of a group: a message to the group (1–2,000 characters after trimming). */
  "breakout-chat-send": { payload: BreakoutTextPayload, result: Type.Object({ message: BreakoutMessageDto }) },
  /** Raise or lower a hand in the caller's group. */
  "breakout-hand": { payload: BreakoutHandPayload, result: NoResult },
  /** A student in a group: ask the teacher for help (`on: false` withdraws). */
  "breakout-help": { payload: BreakoutSwitchPayload, result: NoResult },
  /** Host: a text to every group. */
  "breakout-broadcast": { payload: BreakoutTextPayload, result: NoResult },
  /** Host: my microphone into every group (`on`), or stop. The host must be producing a microphone where they are (PRODUCER_NOT_FOUND otherwise). */
  "breakout-broadcast-audio": { payload: BreakoutSwitchPayload, result: StateResult },
  /** Everyone in the class: the kept groups of this class (closed and open), with their chat. */
  "breakout-history": { payload: BreakoutRoomPayload, result: Type.Object({ groups: Type.Array(BreakoutGroupRecordDto) }) },
  /** Host: show a kept group's chat to the whole class (`breakout-shown`). */
  "breakout-show": { payload: BreakoutGroupPayload, result: Type.Object({ group: BreakoutGroupRecordDto }) },
  /**
   * A page of a group's board (its live elements): a student reads their own group's while in it
   * (NOT_IN_THIS_GROUP otherwise); a host any group's of the class, open or kept.
   */
  "breakout-board-page": { payload: BreakoutBoardPagePayload, result: BoardPageResult },
  /**
   * Draw on a group's board: someone in the group (a member, a visiting host) or any host while the
   * groups are open. The winners (last-writer-wins per element) go to the group (`breakout-board-elements`).
   */
  "breakout-board-draw": {
    payload: BreakoutBoardDrawPayload,
    result: Type.Object({ seq: Type.Integer({ minimum: 0 }), accepted: Type.Integer({ minimum: 0 }) }),
  },
  /** Host: show a page of a group's board (open or kept) to the whole class (`breakout-board-shown`). */
  "breakout-board-show": { payload: BreakoutBoardShowPayload, result: BoardPageResult },
};

/** Server → client breakout events (merged into `ServerEvents`). */
export const BreakoutServerEventSchemas = {
  /** To the class on every change (null: the groups closed and everyone is back). */
  "breakout-state": Type.Object({ roomId: Type.String(), state: Type.Union([BreakoutStateDto, Type.Null()]) }),
  /** To the moved person: now in `groupId` (null: the main room). Start the media over (leave-media, new transports). */
  "breakout-moved": Type.Object({
    roomId: Type.String(),
    groupId: Type.Union([Type.String(), Type.Null()]),
    groupName: Type.Union([Type.String(), Type.Null()]),
  }),
  /** To the class: BREAKOUT_WARNING_S before the deadline. */
  "breakout-warning": Type.Object({ roomId: Type.String(), deadline: Type.String(), secondsLeft: Type.Integer() }),
  /** To the class: the countdown back to the main room started. */
  "breakout-closing": Type.Object({ roomId: Type.String(), returnAt: Type.String(), reason: Type.Union([Type.Literal("host"), Type.Literal("time")]) }),
  /** To the group's members (and visitors). */
  "breakout-chat-message": Type.Object({ roomId: Type.String(), groupId: Type.String(), message: BreakoutMessageDto }),
  /** To everyone in a group (and the hosts). */
  "breakout-broadcast-message": Type.Object({ roomId: Type.String(), text: Type.String(), fromName: Type.String(), at: Type.String() }),
  /** To every host of the class, wherever they are. */
  "breakout-help-requested": Type.Object({
    roomId: Type.String(),
    groupId: Type.String(),
    groupName: Type.String(),
    userId: Type.String(),
    name: Type.String(),
    at: Type.String(),
  }),
  /** To the class: a host shows a kept group's chat. */
  "breakout-shown": Type.Object({ roomId: Type.String(), group: BreakoutGroupRecordDto }),
  /** To the group (members and visitors; not the sender's socket): elements accepted on its board. */
  "breakout-board-elements": Type.Object({
    roomId: Type.String(),
    groupId: Type.String(),
    page: Type.Integer(),
    elements: Type.Array(BoardElement),
    seq: Type.Integer(),
    authorId: Type.String(),
  }),
  /** To the class: a host shows a page of a group's board. */
  "breakout-board-shown": Type.Object({ roomId: Type.String(), board: BreakoutBoardDto, page: Type.Integer(), elements: Type.Array(BoardElement) }),
};
