import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../helpers/app.js";
import { createRoom, joined, listeningApp, person, type Person, type TestClient } from "../rooms/helpers.js";

/**
 * The time runs out (the shortest duration, one minute): the warning at once, then the countdown
 * back to the main room with reason "time", and everyone back with no groups open.
 */
let testApp: TestApp;
let url: string;
let teacher: Person, ann: Person;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ t: testApp, url } = await listeningApp({ VTP_MEDIA: "off" }));
  teacher = await person(testApp, "teacher", "Teacher");
  ann = await person(testApp, "student", "Ann");
});
afterAll(async () => {
  for (const client of clients) client.close();
  await testApp?.close();
});

describe("a timed breakout", () => {
  it("warns, then brings everyone back when the time is up", async () => {
    const room = await createRoom(testApp, teacher);
    const host = (await joined(url, teacher, room.id)).c;
    const annClient = (await joined(url, ann, room.id)).c;
    clients.push(host, annClient);
    const opened = await host.emit("breakout-open", { roomId: room.id, mode: "auto", groups: [{}, {}], durationSeconds: 60 });
    const deadline = opened.state!.deadline!;
    await annClient.waitFor("breakout-moved", (event) => event.groupId !== null);
    expect((await annClient.waitFor("breakout-warning")).deadline).toBe(deadline);
    const closing = await annClient.waitFor("breakout-closing", () => true, 90_000);
    expect(closing.reason).toBe("time");
    expect(Date.parse(closing.returnAt)).toBeGreaterThanOrEqual(Date.parse(deadline));
    await annClient.waitFor("breakout-moved", (event) => event.groupId === null, 30_000);
    await host.waitFor("breakout-state", (event) => event.state === null, 30_000);
  }, 150_000);
});
