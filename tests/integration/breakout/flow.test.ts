import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BreakoutStateDto } from "@vtp/protocol";
import type { TestApp } from "../../helpers/app.js";
import { backends, createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";

/**
 * Breakout groups over the socket, as a teacher and students of one live class see them, on each
 * live-state backend (memory, Redis): opening (auto, manual, self), who may do what, group chat
 * kept after closing, help and hands, latecomers and reconnects landing in their group, removal,
 * and the return to the main room.
 */
describe.each(backends())("breakout groups (%s)", (_backend, env) => {
  let testApp: TestApp;
  let url: string;
  let teacher: Person;
  let students: Person[];
  const clients: TestClient[] = [];

  beforeAll(async () => {
    ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off", ...env }));
    teacher = await person(testApp, "teacher", "Teacher");
    students = await Promise.all(["Ann", "Ben", "Cem", "Dee", "Eve"].map((name) => person(testApp, "student", name)));
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await testApp?.close();
  });

  async function classOf(count: number) {
    const room = await createRoom(testApp, teacher);
    const host = (await joined(url, teacher, room.id)).c;
    const sessions = [];
    for (const student of students.slice(0, count)) sessions.push(await joined(url, student, room.id));
    clients.push(host, ...sessions.map((s) => s.c));
    return { roomId: room.id, host, kids: sessions.map((s) => s.c), pids: sessions.map((s) => s.ack.participantId) };
  }

  const groupOf = (state: BreakoutStateDto | null, userId: string) => state?.groups.find((g) => g.members.some((m) => m.userId === userId && !m.visitor));

  it("auto: balanced groups, everyone moved; students may not run groups; chat stays in the group and is kept after closing", async () => {
    const { roomId, host, kids } = await classOf(4);
    for (const [event, payload] of [
      ["breakout-open", { roomId, mode: "auto", groups: [{}, {}] }],
      ["breakout-close", { roomId }],
      ["breakout-broadcast", { roomId, text: "hi" }],
      ["breakout-broadcast-audio", { roomId, on: true }],
    ] as const) {
      expect((await kids[0]!.emitRaw(event, payload)).error?.code, event).toBe("NOT_ALLOWED_TO_MANAGE_BREAKOUTS");
    }
    expect((await host.emit("breakout-close", { roomId })).error.code).toBe("BREAKOUT_NOT_OPEN");

    const opened = await host.emit("breakout-open", { roomId, mode: "auto", groups: [{ name: "Red" }, { name: "Blue" }] });
    expect(opened.ok, JSON.stringify(opened.error)).toBe(true);
    const state = opened.state!;
    expect(state.groups.map((g) => g.name)).toEqual(["Red", "Blue"]);
    expect(state.groups.map((g) => g.members.length)).toEqual([2, 2]);
    expect(state.unassigned).toEqual([]);
    expect((await host.emit("breakout-open", { roomId, mode: "auto", groups: [{}, {}] })).error.code).toBe("BREAKOUT_ALREADY_OPEN");
    expect((await kids[0]!.emit("breakout-move", { roomId, userId: students[1]!.user.id, groupId: null })).error.code).toBe("NOT_ALLOWED_TO_MANAGE_BREAKOUTS");

    const moves = await Promise.all(kids.map((kid) => kid.waitFor("breakout-moved", (event) => event.groupId !== null)));
    for (const [i, move] of moves.entries()) expect(move.groupId).toBe(groupOf(state, students[i]!.user.id)?.id);
    await kids[3]!.waitFor("breakout-state", (event) => event.state?.sessionId === state.sessionId);

    // A group's chat reaches its members only.
    const annGroup = groupOf(state, students[0]!.user.id)!;
    const other = state.groups.find((g) => g.id !== annGroup.id)!;
    const mate = kids.find((_kid, i) => i > 0 && annGroup.members.some((m) => m.userId === students[i]!.user.id))!;
    const outsider = kids.find((_kid, i) => other.members.some((m) => m.userId === students[i]!.user.id))!;
    const sent = await kids[0]!.emit("breakout-chat-send", { roomId, text: "  our plan  " });
    expect(sent.message).toMatchObject({ groupId: annGroup.id, text: "our plan", seq: 1, authorName: "Ann" });
    await mate.waitFor("breakout-chat-message", (event) => event.message.id === sent.message.id);
    expect(outsider.has("breakout-chat-message")).toBe(false);
    expect(host.has("breakout-chat-message")).toBe(false);
    expect((await host.emit("breakout-chat-send", { roomId, text: "x" })).error.code).toBe("NOT_IN_A_GROUP");
    // Not assigned there: refused; the host visits and reads the chat.
    expect((await kids[0]!.emit("breakout-join", { roomId, groupId: other.id })).error.code).toBe("NOT_IN_THIS_GROUP");
    const visit = await host.emit("breakout-join", { roomId, groupId: annGroup.id });
    expect(visit.messages.map((m) => m.text)).toEqual(["our plan"]);
    expect(visit.group.members.find((m) => m.userId === teacher.user.id)).toMatchObject({ visitor: true, present: true });
    await host.emit("breakout-chat-send", { roomId, text: "good" });
    await kids[0]!.waitFor("breakout-chat-message", (event) => event.message.text === "good");

    // Text to every group.
    expect((await host.emit("breakout-broadcast", { roomId, text: "Two minutes left" })).ok).toBe(true);
    for (const kid of kids) await kid.waitFor("breakout-broadcast-message", (event) => event.text === "Two minutes left" && event.fromName === "Teacher");

    // Close: the countdown, then everyone back in the main room.
    const closing = await host.emit("breakout-close", { roomId, countdownSeconds: 1 });
    expect(closing.state?.status).toBe("closing");
    for (const kid of kids) await kid.waitFor("breakout-closing", (event) => event.reason === "host");
    for (const kid of kids) await kid.waitFor("breakout-moved", (event) => event.groupId === null);
    await kids[0]!.waitFor("breakout-state", (event) => event.state === null);
    expect((await kids[0]!.emit("breakout-state", { roomId })).state).toBeNull();
    expect((await kids[0]!.emit("breakout-chat-send", { roomId, text: "late" })).error.code).toBe("BREAKOUT_NOT_OPEN");

    // Kept, and shown to the whole class.
    const history = await kids[2]!.emit("breakout-history", { roomId });
    const kept = history.groups.find((g) => g.groupId === annGroup.id)!;
    expect(kept.messages.map((m) => m.text)).toEqual(["our plan", "good"]);
    expect(kept.closedAt).not.toBeNull();
    expect(kept.memberNames).toContain("Ann");
    expect((await kids[0]!.emit("breakout-show", { roomId, groupId: annGroup.id })).error.code).toBe("NOT_ALLOWED_TO_MANAGE_BREAKOUTS");
    expect((await host.emit("breakout-show", { roomId, groupId: annGroup.id })).group.name).toBe(annGroup.name);
    for (const kid of kids) await kid.waitFor("breakout-shown", (event) => event.group.groupId === annGroup.id && event.group.messages.length === 2);
  }, 60_000);

  it("manual and self-choice; help reaches the host wherever they are; hands; moving people", async () => {
    const { roomId, host, kids, pids } = await classOf(3);
    const [ann, ben, cem] = students as [Person, Person, Person];
    expect((await host.emit("breakout-open", { roomId, mode: "manual", groups: [{ userIds: [ann.user.id] }, { userIds: [ann.user.id] }] })).error.code).toBe(
      "BREAKOUT_INVALID_ASSIGNMENT",
    );
    const opened = await host.emit("breakout-open", { roomId, mode: "manual", groups: [{ userIds: [ann.user.id, ben.user.id] }, { userIds: [] }] });
    const [first, second] = opened.state!.groups as [BreakoutStateDto["groups"][0], BreakoutStateDto["groups"][0]];
    expect(first.name).toBe("Group 1");
    expect(opened.state!.unassigned).toEqual([cem.user.id]);
    // Cem is in no group; not self mode: he cannot pick one, nor leave to the main room.
    expect((await kids[2]!.emit("breakout-join", { roomId, groupId: first.id })).error.code).toBe("NOT_IN_THIS_GROUP");
    expect((await kids[2]!.emit("breakout-help", { roomId, on: true })).error.code).toBe("NOT_IN_A_GROUP");
    expect((await kids[0]!.emit("breakout-leave", { roomId })).error.code).toBe("NOT_ALLOWED_TO_MANAGE_BREAKOUTS");

    // The host moves Cem into group 2; then visits group 2 while Ann in group 1 asks for help.
    expect((await host.emit("breakout-move", { roomId, userId: cem.user.id, groupId: second.id })).state?.groups[1]?.members.map((m) => m.userId)).toEqual([
      cem.user.id,
    ]);
    await kids[2]!.waitFor("breakout-moved", (event) => event.groupId === second.id);
    expect((await host.emit("breakout-join", { roomId, groupId: second.id })).ok).toBe(true);
    expect((await kids[0]!.emit("breakout-help", { roomId, on: true })).ok).toBe(true);
    const call = await host.waitFor("breakout-help-requested", (event) => event.groupId === first.id);
    expect(call).toMatchObject({ name: "Ann", groupName: "Group 1" });
    expect(kids[1]!.has("breakout-help-requested")).toBe(false);
    const helped = await host.waitFor("breakout-state", (event) => !!event.state?.groups[0]?.helpRequested);
    expect(helped.state?.groups[0]?.helpRequestedAt).not.toBeNull();
    await host.emit("breakout-join", { roomId, groupId: first.id });
    expect((await host.emit("breakout-state", { roomId })).state?.groups[0]?.helpRequested).toBe(false);

    // Hands in the group; only the host lowers another's.
    expect((await kids[1]!.emit("breakout-hand", { roomId, raised: true })).ok).toBe(true);
    expect((await kids[0]!.emit("breakout-hand", { roomId, raised: false, participantId: pids[1]! })).error.code).toBe("NOT_ALLOWED_TO_MANAGE_BREAKOUTS");
    expect((await host.emit("breakout-state", { roomId })).state?.groups[0]?.hands.map((h) => h.name)).toEqual(["Ben"]);
    expect((await host.emit("breakout-hand", { roomId, raised: false, participantId: pids[1]! })).ok).toBe(true);
    expect((await host.emit("breakout-state", { roomId })).state?.groups[0]?.hands).toEqual([]);

    // Back to the main room and closed at once.
    expect((await host.emit("breakout-leave", { roomId })).ok).toBe(true);
    expect((await host.emit("breakout-close", { roomId, countdownSeconds: 0 })).ok).toBe(true);
    await kids[2]!.waitFor("breakout-moved", (event) => event.groupId === null);

    // Self-choice: a student picks a group, changes, goes back to the main room.
    const self = await host.emit("breakout-open", { roomId, mode: "self", groups: [{ name: "A" }, { name: "B" }], durationSeconds: 60 });
    expect(self.state?.deadline).not.toBeNull();
    await kids[0]!.waitFor("breakout-warning", (event) => event.secondsLeft <= 60);
    const [groupA, groupB] = self.state!.groups as [BreakoutStateDto["groups"][0], BreakoutStateDto["groups"][0]];
    expect((await kids[0]!.emit("breakout-join", { roomId, groupId: groupA.id })).group.members.map((m) => m.name)).toEqual(["Ann"]);
    expect((await kids[0]!.emit("breakout-join", { roomId, groupId: groupB.id })).group.members.map((m) => m.name)).toEqual(["Ann"]);
    expect((await kids[0]!.emit("breakout-state", { roomId })).state?.groups[0]?.members).toEqual([]);
    expect((await kids[0]!.emit("breakout-leave", { roomId })).ok).toBe(true);
    await host.emit("breakout-close", { roomId, countdownSeconds: 0 });
  }, 60_000);

  it("a latecomer lands in the smallest group, a reconnecting student in her own, a removed one leaves hers", async () => {
    const { roomId, host, kids, pids } = await classOf(4);
    const opened = await host.emit("breakout-open", { roomId, mode: "auto", groups: [{}, {}, {}] });
    expect(opened.state?.groups.map((g) => g.members.length).sort()).toEqual([1, 1, 2]);
    const late = await joined(url, students[4]!, roomId);
    clients.push(late.c);
    const landed = await late.c.waitFor("breakout-moved", (event) => event.groupId !== null);
    const now = (await host.emit("breakout-state", { roomId })).state!;
    expect(now.groups.find((g) => g.id === landed.groupId)?.members.map((m) => m.name)).toContain("Eve");
    expect(now.groups.map((g) => g.members.length).sort()).toEqual([1, 2, 2]);

    // Ann reconnects (a new socket): back in her group.
    const annGroup = groupOf(now, students[0]!.user.id)!.id;
    kids[0]!.close();
    const again = await joined(url, students[0]!, roomId);
    clients.push(again.c);
    await again.c.waitFor("breakout-moved", (event) => event.groupId === annGroup);

    // Ben is removed from the class: out of his group.
    expect((await host.emit("remove-participant", { roomId, participantId: pids[1]! })).ok).toBe(true);
    await host.waitFor("breakout-state", (event) => !!event.state && !event.state.groups.some((g) => g.members.some((m) => m.userId === students[1]!.user.id)));
    await host.emit("breakout-close", { roomId, countdownSeconds: 0 });
  }, 60_000);
});
