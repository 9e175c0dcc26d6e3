import type { ClientEventName } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import { tinyPdf, type ClassA, type People, type Role, type SocketRole } from "./authz-fixtures.js";

/**
 * The rows of the authorization matrix (authz-matrix.test.ts): what each role may do with each
 * route of `/api/openapi.json` (ROUTES) and each client event (EVENTS). A new route or event needs
 * a row here, or the matrix fails.
 *
 * Outcomes: `o` allowed (2xx / ack ok), `d` denied (401, 403 or 404 / an ack refused with one of
 * DENIED_CODES), `p` past authorization but not carried out for a reason of the request itself
 * (bad token, no such live object, wrong state: any other 4xx, a 503, or another ack error).
 * Roles, in the order of each row's letters: anonymous, student (in class A), outsider (a student
 * in class B), host (the teacher hosting A), teacher (hosting B), presenter (a student of A the
 * host made a speaker), admin, disabled (an account disabled after signing in); events leave out
 * anonymous and disabled (refused at the handshake).
 */

export type Outcome = "o" | "d" | "p";
export interface Ctx {
  a: ClassA;
  people: People;
  role: Role;
  t: TestApp;
}
export interface RouteCase {
  /** One letter per role (ROLES order). */
  expect: string;
  body?: (c: Ctx) => unknown | Promise<unknown>;
  /** Class A is being recorded while the request runs. */
  recording?: boolean;
  query?: (c: Ctx) => Record<string, string>;
  /** A raw body's Content-Type (the body is then a Buffer: a material upload). */
  contentType?: string;
}

const passwordOf = (ctx: Ctx) => (ctx.role === "anonymous" ? "whatever password" : ctx.people.actors[ctx.role].password);
const fresh = () => `m${Math.random().toString(36).slice(2, 10)}@school.test`;

//                                                           a s o h t p A x
export const ROUTES: Record<string, RouteCase> = {
  "GET /api/v1/health": { expect: "oooooooo" },
  "GET /health": { expect: "oooooooo" },
  "POST /api/v1/auth/register": { expect: "oooooooo", body: () => ({ email: fresh(), password: "correct horse battery", fullName: "New", role: "student" }) },
  "POST /api/v1/auth/verify-email": { expect: "pppppppp", body: () => ({ token: "not-a-real-token" }) },
  "POST /api/v1/auth/resend-verification": { expect: "oooooooo", body: () => ({ email: fresh() }) },
  "POST /api/v1/auth/login": { expect: "oooooooo", body: (ctx) => ({ email: ctx.people.target.email, password: ctx.people.target.password }) },
  "POST /api/v1/auth/refresh": {
    expect: "oooooooo",
    body: async (ctx) => {
      const login = await ctx.t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { email: ctx.people.target.email, password: ctx.people.target.password },
      });
      return { refreshToken: login.json().refreshToken };
    },
  },
  "POST /api/v1/auth/logout": { expect: "oooooooo", body: () => ({}) },
  "GET /api/v1/auth/profile": { expect: "dooooood" },
  "PATCH /api/v1/auth/profile": { expect: "dooooood", body: () => ({ fullName: "Same Name" }) },
  "POST /api/v1/auth/change-password": { expect: "dooooood", body: (ctx) => ({ currentPassword: passwordOf(ctx), newPassword: passwordOf(ctx) }) },
  "POST /api/v1/auth/forgot-password": { expect: "oooooooo", body: (ctx) => ({ email: ctx.people.target.email }) },
  "POST /api/v1/auth/reset-password": { expect: "pppppppp", body: () => ({ token: "not-a-real-token", newPassword: "another good password" }) },
  "GET /api/v1/admin/users": { expect: "ddddddod" },
  "PATCH /api/v1/admin/users/{id}": { expect: "ddddddod", body: () => ({ disabled: false }) },
  "GET /api/v1/admin/status": { expect: "ddddddod" },
  "GET /api/v1/rtc/ice-servers": { expect: "dooooood" },

  "POST /api/v1/recordings/start": { expect: "dddoddod", body: (ctx) => ({ roomId: ctx.a.roomId }) },
  "POST /api/v1/recordings/{id}/stop": { expect: "dddpddpd" },
  "GET /api/v1/recordings": { expect: "dooooood", query: (ctx) => ({ roomId: ctx.a.roomId }) },
  "GET /api/v1/recordings/{id}": { expect: "dododood" },
  "PATCH /api/v1/recordings/{id}": { expect: "dddoddod", body: () => ({ title: "Renamed" }) },
  "DELETE /api/v1/recordings/{id}": { expect: "dddoddod" },
  "POST /api/v1/rooms/{id}/recording/markers": { expect: "dddoddod", recording: true, body: () => ({ label: "here" }) },
  "POST /api/v1/recordings/{id}/share": { expect: "dddoddod", body: () => ({}) },
  "DELETE /api/v1/recordings/{id}/share": { expect: "dddoddod" },
  "GET /api/v1/recordings/{id}/chat": { expect: "dododood" },
  "GET /api/v1/recordings/{id}/polls": { expect: "dododood" },
  "GET /api/v1/recordings/{id}/board": { expect: "dododood" },
  // Class A's recording never showed its material on the board: nobody gets it here (the recording's
  // viewers do get a shown one: tests/integration/board/replay-materials.test.ts).
  "GET /api/v1/recordings/{id}/board/materials/{materialId}/file": { expect: "dddddddd" },
  "GET /api/v1/recordings/{id}/download": { expect: "dpdpdppd" },
  "GET /api/v1/recordings/{id}/thumbnail": { expect: "dpdpdppd" },
  "GET /api/v1/recordings/{id}/stream": { expect: "dpdpdppd" },
  "GET /api/v1/recordings/{id}/hls/{*}": { expect: "dddddddd" },
  "GET /api/v1/shared/recordings/{token}": { expect: "oooooooo" },
  "GET /api/v1/shared/recordings/{token}/board": { expect: "oooooooo" },
  "GET /api/v1/shared/recordings/{token}/board/materials/{materialId}/file": { expect: "dddddddd" },
  "GET /api/v1/shared/recordings/{token}/stream": { expect: "pppppppp" },
  "GET /api/v1/shared/recordings/{token}/download": { expect: "pppppppp" },
  "GET /api/v1/shared/recordings/{token}/thumbnail": { expect: "pppppppp" },

  "POST /api/v1/rooms/": { expect: "dddoodod", body: () => ({ title: "New class" }) },
  "GET /api/v1/rooms/": { expect: "dooooood" },
  "GET /api/v1/rooms/stats": { expect: "dooooood", query: (ctx) => ({ ids: ctx.a.roomId }) },
  "GET /api/v1/rooms/by-code/{code}": { expect: "dooooood" },
  "GET /api/v1/rooms/{id}": { expect: "dooooood" },
  "PATCH /api/v1/rooms/{id}": { expect: "dddoddod", body: () => ({ title: "Renamed" }) },
  "DELETE /api/v1/rooms/{id}": { expect: "dddoddod" },
  "GET /api/v1/rooms/{id}/my-access": { expect: "dooooood" },
  "POST /api/v1/rooms/{id}/end": { expect: "dddoddod" },
  "GET /api/v1/rooms/{id}/messages": { expect: "dododood" },
  "GET /api/v1/rooms/{id}/attendance": { expect: "dddoddod" },
  "GET /api/v1/rooms/{id}/record": { expect: "dododood" },
  "GET /api/v1/me/record": { expect: "dooooood" },
  "GET /api/v1/teaching/record": { expect: "dddoodod" },
  "GET /api/v1/admin/overview": { expect: "ddddddod" },
  "GET /api/v1/admin/users/{id}/export": { expect: "ddddddod" },
  "DELETE /api/v1/admin/users/{id}/data": { expect: "ddddddod" },
  "GET /api/v1/rooms/{id}/polls": { expect: "dododood" },
  "POST /api/v1/rooms/{id}/polls": { expect: "dddoddod", body: () => ({ question: "Prepared ahead", kind: "yes-no" }) },
  "DELETE /api/v1/rooms/{id}/polls/{pollId}": { expect: "dddoddod" },
  "GET /api/v1/rooms/{id}/quizzes": { expect: "dododood" },
  "POST /api/v1/rooms/{id}/quizzes": {
    expect: "dddoddod",
    body: () => ({ title: "Prepared ahead", questions: [{ text: "Ready?", kind: "yes-no", correct: [0] }] }),
  },
  "GET /api/v1/rooms/{id}/quizzes/{quizId}": { expect: "dododood" },
  "DELETE /api/v1/rooms/{id}/quizzes/{quizId}": { expect: "dddoddod" },
  "PUT /api/v1/rooms/{id}/quizzes/{quizId}/submission": { expect: "dodddodd", body: () => ({ answers: [[0]] }) },
  "GET /api/v1/rooms/{id}/materials": { expect: "dododood" },
  "POST /api/v1/rooms/{id}/materials": { expect: "dddoddod", contentType: "application/pdf", body: () => tinyPdf() },
  "GET /api/v1/rooms/{id}/materials/{materialId}/file": { expect: "dododood" },
  "GET /api/v1/rooms/{id}/materials/{materialId}/annotated.pdf": { expect: "dododood" },
  "DELETE /api/v1/rooms/{id}/materials/{materialId}": { expect: "dddoddod" },
  "DELETE /api/v1/rooms/{id}/board/drawings": { expect: "dddoddod" },
  "GET /api/v1/signalling/health": { expect: "oooooooo" },
  "GET /api/v1/signalling/room/stats": { expect: "dddoddod", query: (ctx) => ({ room_id: ctx.a.roomId }) },
  "GET /api/v1/signalling/rooms/stats": { expect: "dddoodod" },
  "POST /api/v1/signalling/room/create": { expect: "dddoodod", body: () => ({ title: "New class" }) },
  "DELETE /api/v1/signalling/room/delete": { expect: "dddoddod", query: (ctx) => ({ room_id: ctx.a.roomId }) },
  // live streaming (tests/integration/live covers each route's success with a stream running)
  "GET /api/v1/rooms/{id}/live": { expect: "dododood" },
  "POST /api/v1/rooms/{id}/live": { expect: "dddoddod", body: () => ({}) },
  "DELETE /api/v1/rooms/{id}/live": { expect: "dddddddd" },
  "POST /api/v1/rooms/{id}/live/links": { expect: "dddoddod" },
  "DELETE /api/v1/rooms/{id}/live/links/{linkId}": { expect: "dddddddd" },
  "POST /api/v1/rooms/{id}/live/chat": { expect: "dddddddd", body: () => ({ text: "hello" }) },
  "GET /api/v1/live/s/{token}": { expect: "dddddddd" },
  "POST /api/v1/live/s/{token}/chat": { expect: "dddddddd", body: () => ({ name: "Guest", text: "hello" }) },
  "GET /api/v1/live/s/{token}/hls/{*}": { expect: "dddddddd" },
  "GET /api/v1/live/m/{key}/hls/{*}": { expect: "dddddddd" },
};

/** One letter per socket role (SOCKET_ROLES order: student, outsider, host, teacher, presenter, admin). */
export interface EventCase {
  expect: string;
  /** Class A is being recorded while the event runs. */
  recording?: boolean;
  payload: (c: Ctx) => unknown;
}
const sdp = { type: "offer", sdp: "v=0\r\n" };
/** One Excalidraw stroke. */
const boardStroke = {
  id: "authz-stroke",
  type: "freedraw",
  version: 2,
  versionNonce: 7,
  isDeleted: false,
  x: 1,
  y: 2,
  width: 10,
  height: 10,
  strokeColor: "#000000",
  backgroundColor: "transparent",
  strokeWidth: 2,
  opacity: 100,
  points: [
    [0, 0],
    [10, 10],
  ],
};
/** Someone else in class A to relay to. */
const peerOf = (ctx: Ctx) => (ctx.role === "host" ? ctx.a.pid.student : ctx.a.pid.host);
//                                                    s o h t p A
export const EVENTS: Record<ClientEventName, EventCase> = {
  "join-room": { expect: "oooooo", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  "leave-room": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  "get-room-info": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  "get-participants": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  "webrtc-offer": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId, to: peerOf(ctx), description: sdp }) },
  "webrtc-answer": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId, to: peerOf(ctx), description: { ...sdp, type: "answer" } }) },
  "ice-candidate": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId, to: peerOf(ctx), candidate: null }) },
  "raise-hand": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  "lower-hand": { expect: "ododdo", payload: (ctx) => ({ roomId: ctx.a.roomId, participantId: ctx.a.pid.student }) },
  promote: { expect: "ddoddo", payload: (ctx) => ({ roomId: ctx.a.roomId, participantId: ctx.a.pid.student }) },
  demote: { expect: "ddoddo", payload: (ctx) => ({ roomId: ctx.a.roomId, participantId: ctx.a.pid.presenter }) },
  "mute-participant": { expect: "ddoddo", payload: (ctx) => ({ roomId: ctx.a.roomId, participantId: ctx.a.pid.student }) },
  "remove-participant": { expect: "ddoddo", payload: (ctx) => ({ roomId: ctx.a.roomId, participantId: ctx.a.pid.student }) },
  admit: { expect: "ddpddp", payload: (ctx) => ({ roomId: ctx.a.roomId, userId: ctx.people.target.user.id }) },
  reject: { expect: "ddpddp", payload: (ctx) => ({ roomId: ctx.a.roomId, userId: ctx.people.target.user.id }) },
  "update-room-settings": { expect: "ddoddo", payload: (ctx) => ({ roomId: ctx.a.roomId, settings: { chatEnabled: true } }) },
  "end-room": { expect: "ddoddo", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  "chat-send": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId, text: "hi" }) },
  "chat-delete": { expect: "ddoddo", payload: (ctx) => ({ roomId: ctx.a.roomId, messageId: ctx.a.messageId }) },
  "auth-renew": { expect: "oooooo", payload: (ctx) => ({ token: ctx.people.actors[ctx.role as SocketRole].accessToken }) },
  "create-transport": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId, direction: "recv" }) },
  "connect-transport": {
    expect: "pdpdpp",
    payload: (ctx) => ({ roomId: ctx.a.roomId, transportId: "no-such-transport", description: { type: "answer", sdp: "v=0\r\n" } }),
  },
  produce: { expect: "ddpdpp", payload: (ctx) => ({ roomId: ctx.a.roomId, transportId: "no-such-transport", kind: "video", source: "camera" }) },
  consume: { expect: "pdpdpp", payload: (ctx) => ({ roomId: ctx.a.roomId, producerId: "no-such-producer", transportId: "no-such-transport" }) },
  "close-producer": { expect: "pdpdpp", payload: (ctx) => ({ roomId: ctx.a.roomId, producerId: "no-such-producer" }) },
  "close-consumer": { expect: "pdpdpp", payload: (ctx) => ({ roomId: ctx.a.roomId, consumerId: "no-such-consumer" }) },
  "set-preferred-layer": { expect: "pdpdpp", payload: (ctx) => ({ roomId: ctx.a.roomId, consumerId: "no-such-consumer", layer: "l" }) },
  "pause-consumer": { expect: "pdpdpp", payload: (ctx) => ({ roomId: ctx.a.roomId, consumerId: "no-such-consumer", paused: true }) },
  "leave-media": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  "add-marker": { expect: "ddodoo", recording: true, payload: (ctx) => ({ roomId: ctx.a.roomId, label: "here" }) },
  "poll-create": { expect: "ddodoo", payload: (ctx) => ({ roomId: ctx.a.roomId, poll: { question: "Now?", kind: "yes-no" }, open: true }) },
  "poll-open": { expect: "ddodoo", payload: (ctx) => ({ roomId: ctx.a.roomId, pollId: ctx.a.draftPollId }) },
  "poll-close": { expect: "ddodoo", payload: (ctx) => ({ roomId: ctx.a.roomId, pollId: ctx.a.pollId }) },
  "poll-publish": { expect: "ddodoo", payload: (ctx) => ({ roomId: ctx.a.roomId, pollId: ctx.a.pollId }) },
  "poll-rerun": { expect: "ddodoo", payload: (ctx) => ({ roomId: ctx.a.roomId, pollId: ctx.a.pollId }) },
  "poll-delete": { expect: "ddodoo", payload: (ctx) => ({ roomId: ctx.a.roomId, pollId: ctx.a.draftPollId }) },
  "poll-answer": { expect: "oddddd", payload: (ctx) => ({ roomId: ctx.a.roomId, pollId: ctx.a.pollId, choices: [0] }) },
  "poll-list": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  "quiz-create": {
    expect: "ddodoo",
    payload: (ctx) => ({ roomId: ctx.a.roomId, quiz: { title: "Now", questions: [{ text: "Now?", kind: "yes-no", correct: [0] }] }, open: true }),
  },
  "quiz-open": { expect: "ddodoo", payload: (ctx) => ({ roomId: ctx.a.roomId, quizId: ctx.a.draftQuizId }) },
  "quiz-close": { expect: "ddodoo", payload: (ctx) => ({ roomId: ctx.a.roomId, quizId: ctx.a.quizId }) },
  "quiz-delete": { expect: "ddodoo", payload: (ctx) => ({ roomId: ctx.a.roomId, quizId: ctx.a.draftQuizId }) },
  "quiz-submit": { expect: "oddddd", payload: (ctx) => ({ roomId: ctx.a.roomId, quizId: ctx.a.quizId, answers: [[0]] }) },
  "quiz-list": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  // The board: the host (admins join as hosts) presents, draws and sets who else may; a speaker is no board presenter
  // until the host names them (presenterId), and nobody else draws under the default host-only policy.
  "board-state": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  "board-page": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId, surfaceId: "whiteboard", page: 1 }) },
  "board-present": { expect: "ddoddo", payload: (ctx) => ({ roomId: ctx.a.roomId, surfaceId: "whiteboard" }) },
  // Nothing is on class A's stage: the host's turn is refused as CONFLICT.
  "board-turn": { expect: "ddpddp", payload: (ctx) => ({ roomId: ctx.a.roomId, page: 1 }) },
  "board-draw": { expect: "ddoddo", payload: (ctx) => ({ roomId: ctx.a.roomId, surfaceId: "whiteboard", page: 1, elements: [boardStroke] }) },
  "board-clear": { expect: "ddoddo", payload: (ctx) => ({ roomId: ctx.a.roomId, surfaceId: "whiteboard", page: 1 }) },
  "board-pointer": { expect: "ddoddo", payload: (ctx) => ({ roomId: ctx.a.roomId, surfaceId: "whiteboard", page: 1, x: 10, y: 20 }) },
  "board-settings": { expect: "ddoddo", payload: (ctx) => ({ roomId: ctx.a.roomId, drawPolicy: "everyone" }) },
  "board-add-page": { expect: "ddoddo", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  // Breakout groups: class A has none open, so the host's (and admin's, who joins as a host) managing events are refused
  // BREAKOUT_NOT_OPEN (p); students never manage them; what happens inside groups: tests/integration/breakout.
  "breakout-open": { expect: "ddoddo", payload: (ctx) => ({ roomId: ctx.a.roomId, mode: "auto", groups: [{}, {}] }) },
  "breakout-close": { expect: "ddpddp", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  "breakout-move": { expect: "ddpddp", payload: (ctx) => ({ roomId: ctx.a.roomId, userId: ctx.people.actors.student.user.id, groupId: null }) },
  "breakout-join": { expect: "pdpdpp", payload: (ctx) => ({ roomId: ctx.a.roomId, groupId: ctx.a.roomId }) },
  "breakout-leave": { expect: "pdpdpp", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  "breakout-state": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  "breakout-chat-send": { expect: "pdpdpp", payload: (ctx) => ({ roomId: ctx.a.roomId, text: "hi" }) },
  "breakout-hand": { expect: "pdpdpp", payload: (ctx) => ({ roomId: ctx.a.roomId, raised: true }) },
  "breakout-help": { expect: "pdddpd", payload: (ctx) => ({ roomId: ctx.a.roomId, on: true }) },
  "breakout-broadcast": { expect: "ddpddp", payload: (ctx) => ({ roomId: ctx.a.roomId, text: "hi" }) },
  "breakout-broadcast-audio": { expect: "ddpddp", payload: (ctx) => ({ roomId: ctx.a.roomId, on: true }) },
  "breakout-history": { expect: "ododoo", payload: (ctx) => ({ roomId: ctx.a.roomId }) },
  "breakout-show": { expect: "ddpddp", payload: (ctx) => ({ roomId: ctx.a.roomId, groupId: ctx.a.roomId }) },
  // A group's board: a student only their own group's (none here: NOT_IN_THIS_GROUP), a host any group of the class (none: BREAKOUT_GROUP_NOT_FOUND).
  "breakout-board-page": { expect: "ddpddp", payload: (ctx) => ({ roomId: ctx.a.roomId, groupId: ctx.a.roomId, page: 1 }) },
  "breakout-board-draw": { expect: "ddpddp", payload: (ctx) => ({ roomId: ctx.a.roomId, groupId: ctx.a.roomId, page: 1, elements: [boardStroke] }) },
  "breakout-board-show": { expect: "ddpddp", payload: (ctx) => ({ roomId: ctx.a.roomId, groupId: ctx.a.roomId }) },
};

/** Ack error codes that mean "not allowed" (as opposed to a bad request or a missing live object). */
export const DENIED_CODES = new Set([
  "FORBIDDEN",
  "UNAUTHORIZED",
  "NOT_IN_ROOM",
  "NOT_ALLOWED_TO_PUBLISH",
  "ROLE_NOT_ALLOWED",
  "ACCOUNT_DISABLED",
  "REMOVED_FROM_ROOM",
  "NOT_HOST",
  "NOT_ALLOWED_TO_MANAGE_POLLS",
  "NOT_ALLOWED_TO_MANAGE_QUIZZES",
  "NOT_ALLOWED_TO_DRAW",
  "NOT_ALLOWED_TO_MANAGE_BREAKOUTS",
  "NOT_IN_THIS_GROUP",
]);
