import { Type, type Static } from "@sinclair/typebox";
import { MultilineText, Uuid } from "./input.js";

/**
 * The class board (issue 12; the shared contract is docs/PROTOCOL.md "Board"): what is on the
 * stage (a material's pages or the class's whiteboard), and the drawings on each page as
 * Excalidraw element JSON.
 *
 * A *surface* is a material (surfaceId = the material's id, pages 1..material.pages) or the
 * class's whiteboard (surfaceId = "whiteboard", pages 1..whiteboardPages). Each
 * (room, surface, page) has its own set of elements. On a document page the scene coordinates
 * are PDF points of that page at scale 1, origin top-left, y downwards.
 *
 * Conflicts: last-writer-wins per element (Excalidraw's rule): an incoming element replaces the
 * stored one iff `version > stored.version`, or the versions are equal and
 * `versionNonce < stored.versionNonce`. The server gives every accepted change a per-room
 * sequence number `seq` (monotonic, allocated in the database) and broadcasts only accepted
 * elements; clients apply incoming elements with the same rule.
 */

export const BOARD_WHITEBOARD = "whiteboard";
export const BOARD_ELEMENT_TYPES = ["freedraw", "line", "arrow", "rectangle", "ellipse", "diamond", "text"] as const;
export const BOARD_ELEMENT_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$";
/** Most points in one element (a long freedraw stroke). */
export const BOARD_POINTS_MAX = 4000;
export const BOARD_TEXT_MAX = 2000;
/** The whole element's JSON, in bytes (UTF-8), checked by the server after the schema. */
export const BOARD_ELEMENT_JSON_MAX = 64 * 1024;
/** Most elements in one `board-draw`. */
export const BOARD_DRAW_MAX = 50;
/** Most pages of a whiteboard and the highest page number a payload may name. */
export const BOARD_PAGES_MAX = 1000;
/** Most users in `allowedUserIds`. */
export const BOARD_ALLOWED_MAX = 500;
/** Scene coordinates beyond this (in either direction) are refused. */
export const BOARD_COORD_MAX = 1e7;

const strict = { additionalProperties: false } as const;
const Coord = () => Type.Number({ minimum: -BOARD_COORD_MAX, maximum: BOARD_COORD_MAX });

export const BoardElementType = Type.Union([
  Type.Literal("freedraw"),
  Type.Literal("line"),
  Type.Literal("arrow"),
  Type.Literal("rectangle"),
  Type.Literal("ellipse"),
  Type.Literal("diamond"),
  Type.Literal("text"),
]);
export type BoardElementType = Static<typeof BoardElementType>;

/** Who first created an element (stamped by the server; a client's own `customData` is replaced). */
export const BoardAuthor = Type.Object({ authorId: Type.String(), authorName: Type.String() });
export type BoardAuthor = Static<typeof BoardAuthor>;

/**
 * One Excalidraw element. Other Excalidraw properties pass through (additionalProperties),
 * but the element's JSON must stay within BOARD_ELEMENT_JSON_MAX bytes.
 */
export const BoardElement = Type.Object(
  {
    id: Type.String({ pattern: BOARD_ELEMENT_ID_PATTERN }),
    type: BoardElementType,
    version: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    versionNonce: Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
    isDeleted: Type.Boolean(),
    x: Coord(),
    y: Coord(),
    width: Coord(),
    height: Coord(),
    strokeColor: Type.String({ maxLength: 32 }),
    backgroundColor: Type.String({ maxLength: 32 }),
    strokeWidth: Type.Number({ minimum: 0, maximum: 1000 }),
    opacity: Type.Number({ minimum: 0, maximum: 100 }),
    points: Type.Optional(Type.Array(Type.Tuple([Coord(), Coord()]), { maxItems: BOARD_POINTS_MAX })),
    text: Type.Optional(MultilineText({ maxLength: BOARD_TEXT_MAX })),
    fontSize: Type.Optional(Type.Number({ minimum: 0, maximum: 10000 })),
    /** Overwritten by the server: {authorId, authorName} of whoever created the element. */
    customData: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true },
);
export type BoardElement = Static<typeof BoardElement> & { [key: string]: unknown };

export const BoardDrawPolicy = Type.Union([Type.Literal("host-only"), Type.Literal("everyone"), Type.Literal("chosen")]);
export type BoardDrawPolicy = Static<typeof BoardDrawPolicy>;
export const BoardLayout = Type.Union([Type.Literal("side-by-side"), Type.Literal("camera-tile")]);
export type BoardLayout = Static<typeof BoardLayout>;

/** What is on the class's stage (persisted per room; survives restarts and sessions). */
export const BoardStageDto = Type.Object({
  roomId: Type.String(),
  /** A material's id or "whiteboard"; null: the board is not on the stage. */
  surfaceId: Type.Union([Type.String(), Type.Null()]),
  /** The presenter's page. */
  page: Type.Integer({ minimum: 1 }),
  /** The user who turns pages besides the host(s); null: the host(s) only. */
  presenterId: Type.Union([Type.String(), Type.Null()]),
  drawPolicy: BoardDrawPolicy,
  /** Who may draw under "chosen". */
  allowedUserIds: Type.Array(Type.String()),
  layout: BoardLayout,
  whiteboardPages: Type.Integer({ minimum: 1 }),
  /** The room's board sequence number of the last accepted change. */
  seq: Type.Integer({ minimum: 0 }),
});
export type BoardStageDto = Static<typeof BoardStageDto>;

// ---------------------------------------------------------------- socket payloads

/** A material's id or "whiteboard". */
export const BoardSurfaceId = Type.Union([Type.Literal(BOARD_WHITEBOARD), Uuid()]);
export const BoardPage = Type.Integer({ minimum: 1, maximum: BOARD_PAGES_MAX });

export const BoardRoomPayload = Type.Object({ roomId: Uuid() }, strict);
export type BoardRoomPayload = Static<typeof BoardRoomPayload>;
export const BoardPageRefPayload = Type.Object({ roomId: Uuid(), surfaceId: BoardSurfaceId, page: BoardPage }, strict);
export type BoardPageRefPayload = Static<typeof BoardPageRefPayload>;
export const BoardPresentPayload = Type.Object(
  { roomId: Uuid(), surfaceId: Type.Union([BoardSurfaceId, Type.Null()]), page: Type.Optional(BoardPage) },
  strict,
);
export type BoardPresentPayload = Static<typeof BoardPresentPayload>;
export const BoardTurnPayload = Type.Object({ roomId: Uuid(), page: BoardPage }, strict);
export type BoardTurnPayload = Static<typeof BoardTurnPayload>;
export const BoardDrawPayload = Type.Object(
  {
    roomId: Uuid(),
    surfaceId: BoardSurfaceId,
    page: BoardPage,
    elements: Type.Array(BoardElement, { minItems: 1, maxItems: BOARD_DRAW_MAX }),
  },
  strict,
);
export type BoardDrawPayload = Static<typeof BoardDrawPayload>;
export const BoardPointerAt = Type.Object({ roomId: Uuid(), surfaceId: BoardSurfaceId, page: BoardPage, x: Coord(), y: Coord() }, strict);
export const BoardPointerHidden = Type.Object({ roomId: Uuid(), hidden: Type.Literal(true) }, strict);
export const BoardPointerPayload = Type.Union([BoardPointerAt, BoardPointerHidden]);
export type BoardPointerPayload = Static<typeof BoardPointerPayload>;
export const BoardSettingsPayload = Type.Object(
  {
    roomId: Uuid(),
    /** null: the host(s) present again. */
    presenterId: Type.Optional(Type.Union([Uuid(), Type.Null()])),
    drawPolicy: Type.Optional(BoardDrawPolicy),
    allowedUserIds: Type.Optional(Type.Array(Uuid(), { maxItems: BOARD_ALLOWED_MAX })),
    layout: Type.Optional(BoardLayout),
  },
  strict,
);
export type BoardSettingsPayload = Static<typeof BoardSettingsPayload>;

export const BoardStageResult = Type.Object({ stage: BoardStageDto });
export const BoardPageResult = Type.Object({ elements: Type.Array(BoardElement), seq: Type.Integer({ minimum: 0 }) });
export const BoardDrawResult = Type.Object({ seq: Type.Integer({ minimum: 0 }), accepted: Type.Integer({ minimum: 0 }) });
export const BoardClearResult = Type.Object({ seq: Type.Integer({ minimum: 0 }) });

/** Client → server board events (merged into `ClientEvents`). */
export const BoardClientEventSchemas = {
  /** Any member: what is on the stage. */
  "board-state": { payload: BoardRoomPayload, result: BoardStageResult },
  /** Any member: the live (non-deleted) elements of one page. */
  "board-page": { payload: BoardPageRefPayload, result: BoardPageResult },
  /** Host or presenter: put a surface (at `page`, default 1) on the stage, or take the board off (null). */
  "board-present": { payload: BoardPresentPayload, result: BoardStageResult },
  /** Host or presenter: turn the stage's page. */
  "board-turn": { payload: BoardTurnPayload, result: BoardStageResult },
  /** Drawers: add, change or delete elements of a page (LWW per element); `accepted` = how many won. */
  "board-draw": { payload: BoardDrawPayload, result: BoardDrawResult },
  /** Host or presenter: remove every element of a page. */
  "board-clear": { payload: BoardPageRefPayload, result: BoardClearResult },
  /** Drawers: the laser pointer (not kept on the board), or hide it. */
  "board-pointer": { payload: BoardPointerPayload, result: Type.Object({}) },
  /** Host only: presenter, who may draw, layout. */
  "board-settings": { payload: BoardSettingsPayload, result: BoardStageResult },
  /** Host or presenter: one more whiteboard page. */
  "board-add-page": { payload: BoardRoomPayload, result: BoardStageResult },
};

/** Server → client board events (merged into `ServerEvents`). */
export const BoardServerEventSchemas = {
  /** To the room: the stage changed. */
  "board-stage": Type.Object({ roomId: Type.String(), stage: BoardStageDto }),
  /** To the room except the sender's socket: accepted elements of a page. */
  "board-elements": Type.Object({
    roomId: Type.String(),
    surfaceId: Type.String(),
    page: Type.Integer(),
    elements: Type.Array(BoardElement),
    seq: Type.Integer(),
    authorId: Type.String(),
  }),
  /** To the room: a page was cleared. */
  "board-cleared": Type.Object({ roomId: Type.String(), surfaceId: Type.String(), page: Type.Integer(), seq: Type.Integer() }),
  /** To the room except the sender (volatile): someone's laser pointer moved or was hidden. */
  "board-pointer": Type.Union([
    Type.Object({
      roomId: Type.String(),
      userId: Type.String(),
      name: Type.String(),
      surfaceId: Type.String(),
      page: Type.Integer(),
      x: Type.Number(),
      y: Type.Number(),
    }),
    Type.Object({ roomId: Type.String(), userId: Type.String(), hidden: Type.Literal(true) }),
  ]),
};

// ---------------------------------------------------------------- the replay (REST)

/** One page's elements. */
export const BoardPageElementsDto = Type.Object({ surfaceId: Type.String(), page: Type.Integer(), elements: Type.Array(BoardElement) });
export type BoardPageElementsDto = Static<typeof BoardPageElementsDto>;

export const BoardOpKind = Type.Union([
  Type.Literal("present"),
  Type.Literal("turn"),
  Type.Literal("draw"),
  Type.Literal("clear"),
  Type.Literal("pointer"),
  Type.Literal("settings"),
]);
export type BoardOpKind = Static<typeof BoardOpKind>;

/**
 * One entry of the board's history (board_ops). Payload by kind:
 * - present, turn, settings (also add-page): `{ stage }` (the stage after the change);
 * - draw: `{ surfaceId, page, elements, authorId }` (the accepted elements);
 * - clear: `{ surfaceId, page }` one page, or `{ all: true }` every drawing of the class;
 * - pointer: `{ userId, name, surfaceId, page, x, y }` or `{ userId, hidden: true }` (sampled, at most ~5/s per user).
 * Pointer entries carry the room's current seq (they change nothing); order by `seq`, then `at`.
 */
export const BoardOpDto = Type.Object({
  seq: Type.Integer(),
  at: Type.String({ format: "date-time" }),
  kind: BoardOpKind,
  payload: Type.Record(Type.String(), Type.Unknown()),
});
export type BoardOpDto = Static<typeof BoardOpDto>;

/** A board op on a recording's timeline. */
export const RecordingBoardOpDto = Type.Object({
  seq: Type.Integer(),
  at: Type.String({ format: "date-time" }),
  /** Milliseconds from the recording's start. */
  offsetMs: Type.Integer(),
  kind: BoardOpKind,
  payload: Type.Record(Type.String(), Type.Unknown()),
});
export type RecordingBoardOpDto = Static<typeof RecordingBoardOpDto>;

/**
 * `GET /recordings/:id/board`: the board as it was when the recording started (`stage`, null if
 * the class never used the board before; `pages`: every non-empty page) and the ops of the
 * recording's span, in order.
 */
/** A document shown on the board during the recording: its PDF is at `…/board/materials/:id/file` for the recording's viewers. */
export const RecordingBoardMaterialDto = Type.Object({ id: Type.String(), title: Type.String(), pages: Type.Integer() });
export type RecordingBoardMaterialDto = Static<typeof RecordingBoardMaterialDto>;

export const RecordingBoardResponse = Type.Object({
  stage: Type.Union([BoardStageDto, Type.Null()]),
  pages: Type.Array(BoardPageElementsDto),
  ops: Type.Array(RecordingBoardOpDto),
  /** The documents (still in the class) that the board shows at some point of the recording. */
  materials: Type.Array(RecordingBoardMaterialDto),
});
export type RecordingBoardResponse = Static<typeof RecordingBoardResponse>;
