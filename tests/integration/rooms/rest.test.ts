import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOIN_CODE_ALPHABET, type RoomListResponse } from "@vtp/protocol";
import { createTestApp, makeAdmin, signUp, type TestApp } from "../../helpers/app.js";

let testApp: TestApp;
let teacher: Awaited<ReturnType<typeof signUp>>;
let other: Awaited<ReturnType<typeof signUp>>;
let student: Awaited<ReturnType<typeof signUp>>;
let admin: Awaited<ReturnType<typeof makeAdmin>>;

beforeAll(async () => {
  testApp = await createTestApp();
  teacher = await signUp(testApp, { role: "teacher", fullName: "Tess Teacher" });
  other = await signUp(testApp, { role: "teacher", fullName: "Otto Other" });
  student = await signUp(testApp, { role: "student", fullName: "Stu Dent" });
  admin = await makeAdmin(testApp);
});
afterAll(async () => testApp?.close());

const req = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, auth?: { authorization: string }, payload?: unknown) =>
  testApp.app.inject({ method, url, headers: auth ?? {}, ...(payload !== undefined ? { payload: payload as object } : {}) });

describe("rooms REST", () => {
  it("a teacher creates a room with defaults, a join code and status scheduled", async () => {
    const res = await req("POST", "/api/v1/rooms", teacher.auth, { title: "  Algebra  ", description: "Week 1" });
    expect(res.statusCode).toBe(201);
    const room = res.json().room;
    expect(room).toMatchObject({
      title: "Algebra",
      description: "Week 1",
      hostId: teacher.user.id,
      hostName: "Tess Teacher",
      status: "scheduled",
      scheduledStart: null,
      startedAt: null,
      endedAt: null,
    });
    expect(room.settings).toEqual({ studentsCanPublish: false, waitingRoom: false, maxParticipants: 100, chatEnabled: true });
    expect(room.code).toHaveLength(8);
    for (const ch of room.code) expect(JOIN_CODE_ALPHABET).toContain(ch);
    expect(room.code).not.toMatch(/[01OIL]/);
  });

  it("settings and scheduled start are stored; codes are unique", async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await req("POST", "/api/v1/rooms", teacher.auth, {
        title: `R${i}`,
        scheduledStart: "2030-01-02T10:00:00.000Z",
        settings: { waitingRoom: true, maxParticipants: 5 },
      });
      expect(res.statusCode).toBe(201);
      const room = res.json().room;
      expect(room.settings).toEqual({ studentsCanPublish: false, waitingRoom: true, maxParticipants: 5, chatEnabled: true });
      expect(room.scheduledStart).toBe("2030-01-02T10:00:00.000Z");
      codes.add(room.code);
    }
    expect(codes.size).toBe(5);
  });

  it("students cannot create rooms", async () => {
    const res = await req("POST", "/api/v1/rooms", student.auth, { title: "Nope" });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("ROLE_NOT_ALLOWED");
  });

  it("anyone signed in can look a room up by code (any case, with a dash) or id", async () => {
    const room = (await req("POST", "/api/v1/rooms", teacher.auth, { title: "Lookup" })).json().room;
    const dashed = `${room.code.slice(0, 4)}-${room.code.slice(4)}`.toLowerCase();
    const byCode = await req("GET", `/api/v1/rooms/by-code/${dashed}`, student.auth);
    expect(byCode.statusCode).toBe(200);
    expect(byCode.json().room.id).toBe(room.id);
    const byId = await req("GET", `/api/v1/rooms/${room.id}`, student.auth);
    expect(byId.json().room.code).toBe(room.code);
    expect((await req("GET", `/api/v1/rooms/by-code/${room.code}`)).statusCode).toBe(401);
    const missing = await req("GET", "/api/v1/rooms/by-code/AAAA-AAAA", student.auth);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("ROOM_NOT_FOUND");
  });

  it("only the host or an admin may change, end or delete a room", async () => {
    const room = (await req("POST", "/api/v1/rooms", teacher.auth, { title: "Guarded" })).json().room;
    for (const who of [other, student]) {
      expect((await req("PATCH", `/api/v1/rooms/${room.id}`, who.auth, { title: "Hacked" })).json().error.code).toBe("FORBIDDEN");
      expect((await req("POST", `/api/v1/rooms/${room.id}/end`, who.auth)).statusCode).toBe(403);
      expect((await req("DELETE", `/api/v1/rooms/${room.id}`, who.auth)).statusCode).toBe(403);
      expect((await req("GET", `/api/v1/rooms/${room.id}/attendance`, who.auth)).statusCode).toBe(403);
    }
    const patched = await req("PATCH", `/api/v1/rooms/${room.id}`, teacher.auth, { title: "Renamed", settings: { chatEnabled: false } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().room).toMatchObject({ title: "Renamed", settings: { chatEnabled: false, maxParticipants: 100 } });
    const byAdmin = await req("PATCH", `/api/v1/rooms/${room.id}`, admin.auth, { description: "by admin" });
    expect(byAdmin.json().room.description).toBe("by admin");
    const ended = await req("POST", `/api/v1/rooms/${room.id}/end`, teacher.auth);
    expect(ended.json().room.status).toBe("ended");
    expect(ended.json().room.endedAt).toBeTruthy();
    expect((await req("POST", `/api/v1/rooms/${room.id}/end`, teacher.auth)).statusCode).toBe(200);
    expect((await req("DELETE", `/api/v1/rooms/${room.id}`, admin.auth)).json()).toEqual({ ok: true });
    expect((await req("GET", `/api/v1/rooms/${room.id}`, teacher.auth)).json().error.code).toBe("ROOM_NOT_FOUND");
  });

  it("lists my rooms paginated, newest first; admins see all; students see rooms they joined", async () => {
    const t2 = await signUp(testApp, { role: "teacher" });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await req("POST", "/api/v1/rooms", t2.auth, { title: `Mine ${i}` })).json().room.id);
    const p1 = (await req("GET", "/api/v1/rooms?page=1&pageSize=2", t2.auth)).json<RoomListResponse>();
    expect(p1).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(p1.rooms.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const p2 = (await req("GET", "/api/v1/rooms?page=2&pageSize=2", t2.auth)).json<RoomListResponse>();
    expect(p2.rooms.map((r) => r.id)).toEqual([ids[0]]);
    const all = (await req("GET", "/api/v1/rooms?pageSize=100", admin.auth)).json();
    expect(all.total).toBeGreaterThanOrEqual(3 + 5);
    const mine = (await req("GET", "/api/v1/rooms", student.auth)).json();
    expect(mine.total).toBe(0);
    const scheduled = (await req("GET", "/api/v1/rooms?status=scheduled&scope=hosted", t2.auth)).json();
    expect(scheduled.total).toBe(3);
  });

  it("signalling endpoints: health, create, stats, delete", async () => {
    const health = await req("GET", "/api/v1/signalling/health");
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: "ok", adapter: "memory" });
    const created = await req("POST", "/api/v1/signalling/room/create", teacher.auth, { title: "Via signalling" });
    expect(created.statusCode).toBe(201);
    const id = created.json().room.id;
    const stats = await req("GET", `/api/v1/signalling/room/stats?room_id=${id}`, teacher.auth);
    expect(stats.statusCode).toBe(200);
    expect(stats.json().stats).toMatchObject({
      roomId: id,
      status: "scheduled",
      participantsOnline: 0,
      peakParticipants: 0,
      messages: 0,
      raisedHands: 0,
      durationSeconds: 0,
      startedAt: null,
    });
    expect((await req("GET", `/api/v1/signalling/room/stats?room_id=${id}`, student.auth)).statusCode).toBe(403);
    expect((await req("GET", "/api/v1/signalling/rooms/stats", student.auth)).statusCode).toBe(403);
    const list = await req("GET", "/api/v1/signalling/rooms/stats", admin.auth);
    expect(list.statusCode).toBe(200);
    expect(list.json().totals).toHaveProperty("liveRooms");
    expect((await req("DELETE", `/api/v1/signalling/room/delete?room_id=${id}`, student.auth)).statusCode).toBe(403);
    expect((await req("DELETE", `/api/v1/signalling/room/delete?room_id=${id}`, teacher.auth)).json()).toEqual({ ok: true });
    expect((await req("GET", `/api/v1/signalling/room/stats?room_id=${id}`, teacher.auth)).statusCode).toBe(404);
  });
});

describe("rooms REST bad input: always 4xx with a code", () => {
  const uuid = "00000000-0000-4000-8000-000000000000";
  const huge = "x".repeat(300_000);
  const cases: [string, "GET" | "POST" | "PATCH" | "DELETE", string, unknown?][] = [
    ["no title", "POST", "/api/v1/rooms", {}],
    ["empty title", "POST", "/api/v1/rooms", { title: "" }],
    ["title too long", "POST", "/api/v1/rooms", { title: "t".repeat(201) }],
    ["title wrong type", "POST", "/api/v1/rooms", { title: 42 }],
    ["unknown field", "POST", "/api/v1/rooms", { title: "x", color: "red" }],
    ["bad settings type", "POST", "/api/v1/rooms", { title: "x", settings: { waitingRoom: "yes" } }],
    ["max participants too big", "POST", "/api/v1/rooms", { title: "x", settings: { maxParticipants: 100000 } }],
    ["max participants too small", "POST", "/api/v1/rooms", { title: "x", settings: { maxParticipants: 0 } }],
    ["unknown setting", "POST", "/api/v1/rooms", { title: "x", settings: { mood: 1 } }],
    ["bad date", "POST", "/api/v1/rooms", { title: "x", scheduledStart: "tomorrow" }],
    ["huge description", "POST", "/api/v1/rooms", { title: "x", description: huge }],
    ["body is an array", "POST", "/api/v1/rooms", [1, 2]],
    ["not a uuid", "GET", "/api/v1/rooms/not-a-uuid"],
    ["sql-ish id", "GET", "/api/v1/rooms/1'%20or%201=1"],
    ["unknown id", "GET", `/api/v1/rooms/${uuid}`],
    ["unknown id patch", "PATCH", `/api/v1/rooms/${uuid}`, { title: "x" }],
    ["empty patch", "PATCH", `/api/v1/rooms/${uuid}`, {}],
    ["unknown id end", "POST", `/api/v1/rooms/${uuid}/end`],
    ["unknown id delete", "DELETE", `/api/v1/rooms/${uuid}`],
    ["bad page", "GET", "/api/v1/rooms?page=0"],
    ["bad page size", "GET", "/api/v1/rooms?pageSize=1000"],
    ["bad status", "GET", "/api/v1/rooms?status=open"],
    ["page not a number", "GET", "/api/v1/rooms?page=abc"],
    ["long code", "GET", `/api/v1/rooms/by-code/${"A".repeat(40)}`],
    ["odd code", "GET", "/api/v1/rooms/by-code/%F0%9F%98%80"],
    ["messages bad after", "GET", `/api/v1/rooms/${uuid}/messages?after=-1`],
    ["messages bad limit", "GET", `/api/v1/rooms/${uuid}/messages?limit=100000`],
    ["messages unknown room", "GET", `/api/v1/rooms/${uuid}/messages`],
    ["attendance bad format", "GET", `/api/v1/rooms/${uuid}/attendance?format=xml`],
    ["attendance unknown room", "GET", `/api/v1/rooms/${uuid}/attendance`],
    ["stats no room_id", "GET", "/api/v1/signalling/room/stats"],
    ["stats bad room_id", "GET", "/api/v1/signalling/room/stats?room_id=zzz"],
    ["stats unknown room", "GET", `/api/v1/signalling/room/stats?room_id=${uuid}`],
    ["delete no room_id", "DELETE", "/api/v1/signalling/room/delete"],
    ["signalling create bad body", "POST", "/api/v1/signalling/room/create", { title: null }],
  ];
  it.each(cases)("%s", async (_name, method, url, payload) => {
    const res = await req(method, url, teacher.auth, payload);
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(typeof res.json().error.code).toBe("string");
  });

  it("no token → 401 on every room endpoint", async () => {
    for (const [method, url] of [
      ["GET", "/api/v1/rooms"],
      ["POST", "/api/v1/rooms"],
      ["GET", `/api/v1/rooms/${uuid}`],
      ["GET", `/api/v1/rooms/${uuid}/attendance`],
      ["GET", "/api/v1/signalling/rooms/stats"],
    ] as const) {
      const res = await req(method, url, undefined, method === "POST" ? { title: "x" } : undefined);
      expect(res.statusCode).toBe(401);
    }
  });
});
