import { describe, expect, it } from "vitest";
import type { UserDto } from "@vtp/protocol";
import { ApiClient, type ClientEnv, type TabMessage } from "./client";
import { refreshDelayMs } from "./schedule";
import { errorText, isTransient } from "./errors";

const user: UserDto = {
  id: "u1",
  email: "t@example.org",
  fullName: "Tess Teacher",
  role: "teacher",
  emailVerified: true,
  disabled: false,
  createdAt: new Date(0).toISOString(),
};

interface Call {
  url: string;
  method: string;
  auth?: string;
  body?: unknown;
}

/** A fake clock, timers and server. `handler` answers each request. */
function harness(handler: (call: Call, count: number) => { status: number; body?: unknown }) {
  let now = 1_000_000;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const calls: Call[] = [];
  const env: ClientEnv = {
    now: () => now,
    setTimer: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimer: (timerId) => {
      const index = timers.findIndex((timer) => timer.id === timerId);
      if (index >= 0) timers.splice(index, 1);
    },
    fetch: (async (url: string, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      const call: Call = { url, method: init.method ?? "GET", auth: headers.authorization, body: init.body ? JSON.parse(init.body as string) : undefined };
      calls.push(call);
      const reply = handler(call, calls.length);
      return new Response(reply.body === undefined ? "" : JSON.stringify(reply.body), { status: reply.status });
    }) as typeof fetch,
  };
  return {
    env,
    calls,
    timers,
    advance(ms: number) {
      now += ms;
      for (const timer of [...timers].sort((a, b) => a.at - b.at)) {
        if (timer.at <= now) {
          timers.splice(timers.indexOf(timer), 1);
          timer.fn();
        }
      }
    },
  };
}

const session = (token: string, expiresIn = 900) => ({ status: 200, body: { accessToken: token, tokenType: "Bearer", expiresIn, user } });
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("refreshDelayMs", () => {
  it("refreshes a minute early for long tokens and a quarter early for short ones", () => {
    expect(refreshDelayMs(900)).toBe(840_000);
    expect(refreshDelayMs(60)).toBe(45_000);
    expect(refreshDelayMs(0)).toBe(1_000);
  });
});

describe("ApiClient", () => {
  it("signs in with the cookie flag and keeps the token in memory", async () => {
    const fake = harness((call) => (call.url.endsWith("/login") ? session("A1") : { status: 200, body: { user } }));
    const client = new ApiClient(fake.env);
    const events: string[] = [];
    client.subscribe((event) => events.push(event.type));
    await client.login("t@example.org", "correct horse battery");
    expect(fake.calls[0].body).toEqual({ email: "t@example.org", password: "correct horse battery", useCookie: true });
    await client.get("/api/v1/auth/profile");
    expect(fake.calls[1].auth).toBe("Bearer A1");
    expect(events).toEqual(["signed-in"]);
  });

  it("refreshes silently before the token expires", async () => {
    let refreshCount = 0;
    const fake = harness((call) =>
      call.url.endsWith("/login") ? session("A1") : call.url.endsWith("/refresh") ? session(`R${++refreshCount}`) : { status: 200, body: {} },
    );
    const client = new ApiClient(fake.env);
    await client.login("t@example.org", "pw");
    expect(fake.timers).toHaveLength(1);
    fake.advance(839_000);
    expect(fake.calls.filter((call) => call.url.endsWith("/refresh"))).toHaveLength(0);
    fake.advance(1_000);
    await flush();
    const refreshes = fake.calls.filter((call) => call.url.endsWith("/refresh"));
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0].body).toEqual({ useCookie: true });
    await client.get("/x");
    expect(fake.calls.at(-1)?.auth).toBe("Bearer R1");
    expect(fake.timers).toHaveLength(1); // the next refresh is scheduled
  });

  it("on a 401 refreshes once and retries the request", async () => {
    const fake = harness((call) => {
      if (call.url.endsWith("/login")) return session("OLD");
      if (call.url.endsWith("/refresh")) return session("NEW");
      return call.auth === "Bearer NEW" ? { status: 200, body: { ok: 1 } } : { status: 401, body: { error: { code: "UNAUTHORIZED", message: "expired" } } };
    });
    const client = new ApiClient(fake.env);
    await client.login("a", "b");
    await expect(client.get("/api/v1/rooms")).resolves.toEqual({ ok: 1 });
    expect(fake.calls.map((call) => call.url)).toEqual(["/api/v1/auth/login", "/api/v1/rooms", "/api/v1/auth/refresh", "/api/v1/rooms"]);
  });

  it("does not loop: a second 401 after the retry is an error", async () => {
    const fake = harness((call) => {
      if (call.url.endsWith("/login")) return session("A");
      if (call.url.endsWith("/refresh")) return session("B");
      return { status: 401, body: { error: { code: "UNAUTHORIZED", message: "no" } } };
    });
    const client = new ApiClient(fake.env);
    await client.login("a", "b");
    await expect(client.get("/x")).rejects.toMatchObject({ code: "UNAUTHORIZED", status: 401 });
    expect(fake.calls.filter((call) => call.url === "/x")).toHaveLength(2);
  });

  it("signs out when the refresh is refused", async () => {
    const fake = harness((call) => {
      if (call.url.endsWith("/login")) return session("A");
      if (call.url.endsWith("/refresh")) return { status: 401, body: { error: { code: "REFRESH_TOKEN_REUSED", message: "reused" } } };
      return { status: 401, body: { error: { code: "UNAUTHORIZED", message: "no" } } };
    });
    const client = new ApiClient(fake.env);
    const events: { type: string; reason?: string }[] = [];
    client.subscribe((event) => events.push(event));
    await client.login("a", "b");
    await expect(client.get("/x")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(client.signedIn).toBe(false);
    expect(events.at(-1)).toEqual({ type: "signed-out", reason: "REFRESH_TOKEN_REUSED" });
    expect(fake.timers).toHaveLength(0);
  });

  it("shares one refresh between concurrent callers", async () => {
    const fake = harness((call) => (call.url.endsWith("/refresh") ? session("S") : { status: 200, body: {} }));
    const client = new ApiClient(fake.env);
    const [first, second] = await Promise.all([client.restore(), client.restore()]);
    expect(first).toEqual(user);
    expect(second).toEqual(user);
    expect(fake.calls).toHaveLength(1);
  });

  it("restore resolves to null without a cookie and emits nothing", async () => {
    const fake = harness(() => ({ status: 401, body: { error: { code: "UNAUTHORIZED", message: "No refresh token" } } }));
    const client = new ApiClient(fake.env);
    const events: string[] = [];
    client.subscribe((event) => events.push(event.type));
    expect(await client.restore()).toBeNull();
    expect(events).toEqual([]);
  });

  it("keeps the session on a network error and retries later", async () => {
    let down = false;
    const fake = harness((call) => (call.url.endsWith("/login") ? session("A", 60) : session("B", 60)));
    const fetchOk = fake.env.fetch;
    fake.env.fetch = ((...args: Parameters<typeof fetch>) => (down ? Promise.reject(new TypeError("Failed to fetch")) : fetchOk(...args))) as typeof fetch;
    const client = new ApiClient(fake.env);
    await client.login("a", "b");
    down = true;
    fake.advance(45_000);
    await flush();
    expect(client.signedIn).toBe(true);
    down = false;
    fake.advance(10_000);
    await flush();
    expect(fake.calls.filter((call) => call.url.endsWith("/refresh"))).toHaveLength(1);
    expect(client.signedIn).toBe(true);
  });

  it("keeps the session when the refresh meets a database outage (503 DATABASE_UNAVAILABLE), and refreshes once it is back", async () => {
    let down = false;
    const unavailable = { status: 503, body: { error: { code: "DATABASE_UNAVAILABLE", message: "The database is not reachable right now" } } };
    const fake = harness((call) => (call.url.endsWith("/login") ? session("A", 60) : down ? unavailable : session("B", 60)));
    const client = new ApiClient(fake.env);
    const events: string[] = [];
    client.subscribe((event) => events.push(event.type));
    await client.login("a", "b");
    down = true;
    fake.advance(45_000);
    await flush();
    expect(client.signedIn).toBe(true);
    down = false;
    fake.advance(10_000);
    await flush();
    expect(client.signedIn).toBe(true);
    expect(events).toEqual(["signed-in", "user"]);
  });

  it("retries a read while the service answers 503 with a transient code, and says the service is having trouble if it persists", async () => {
    let failures = 2;
    const fake = harness((call) => {
      if (call.url.endsWith("/login")) return session("A");
      if (failures-- > 0) return { status: 503, body: { error: { code: "DATABASE_UNAVAILABLE", message: "db" } } };
      return { status: 200, body: { rooms: [] } };
    });
    const client = new ApiClient(fake.env);
    await client.login("a", "b");
    const pending = client.get("/api/v1/rooms");
    for (let i = 0; i < 10; i++) {
      await flush();
      fake.advance(2_000);
    }
    await expect(pending).resolves.toEqual({ rooms: [] });
    expect(fake.calls.filter((call) => call.url === "/api/v1/rooms")).toHaveLength(3);

    // Still down after the retries: the error reads as a passing trouble, not a generic failure.
    failures = 100;
    // The rejection is taken as it happens (while the timers advance), not left unhandled.
    const failing = client.get("/api/v1/rooms").catch((error: unknown) => error);
    for (let i = 0; i < 10; i++) {
      await flush();
      fake.advance(2_000);
    }
    const err = await failing;
    expect(errorText(err)).toBe("The service is having trouble, retrying…");
    expect(isTransient(err)).toBe(true);

    // A write is never repeated on its own.
    failures = 1;
    const before = fake.calls.length;
    await expect(client.post("/api/v1/rooms", { title: "x" })).rejects.toMatchObject({ code: "DATABASE_UNAVAILABLE" });
    expect(fake.calls.length - before).toBe(1);
  });

  it("signs out every tab and adopts a session another tab shared", async () => {
    const subs: ((message: TabMessage) => void)[] = [];
    const posted: TabMessage[] = [];
    const mk = () => {
      const fake = harness((call) => (call.url.endsWith("/login") ? session("A") : { status: 200, body: { ok: true } }));
      fake.env.channel = {
        post: (message) => {
          posted.push(message);
          for (const subscriber of subs) if (subscriber !== mine) subscriber(message);
        },
        subscribe: (fn) => {
          subs.push(fn);
          mine = fn;
        },
      };
      let mine: ((message: TabMessage) => void) | undefined;
      return { fake, client: new ApiClient(fake.env) };
    };
    const tab1 = mk();
    const tab2 = mk();
    await tab1.client.login("a", "b");
    expect(tab2.client.signedIn).toBe(true);
    expect(tab2.client.user?.id).toBe("u1");
    await tab2.client.logout();
    expect(tab1.client.signedIn).toBe(false);
    expect(posted.map((message) => message.type)).toEqual(["session", "signed-out"]);
  });

  it("maps error bodies to ApiError with code and details", async () => {
    const fake = harness(() => ({ status: 409, body: { error: { code: "EMAIL_TAKEN", message: "taken", details: [{ field: "email" }] } } }));
    const client = new ApiClient(fake.env);
    await expect(client.post("/api/v1/auth/register", {}, { auth: false })).rejects.toMatchObject({
      status: 409,
      code: "EMAIL_TAKEN",
      details: [{ field: "email" }],
    });
  });

  it("on a signed-out page asks the server nothing (no 401 in the console); after a sign-in it restores", async () => {
    let refreshes = 0;
    const fake = harness((call) => {
      if (call.url.endsWith("/refresh")) return refreshes++ === 0 ? session("R1") : { status: 401, body: { error: { code: "UNAUTHORIZED", message: "no" } } };
      return session("A1");
    });
    let hint = false;
    fake.env.sessionHint = { get: () => hint, set: (on) => (hint = on) };
    expect(await new ApiClient(fake.env).restore()).toBeNull();
    expect(fake.calls).toHaveLength(0);

    const client = new ApiClient(fake.env);
    await client.login("a", "b");
    expect(hint).toBe(true);
    // A new page load in this browser restores through the cookie.
    expect(await new ApiClient(fake.env).restore()).toMatchObject({ id: "u1" });
    // A refused refresh (cookie gone) clears the hint: the next page asks nothing.
    expect(await new ApiClient(fake.env).restore()).toBeNull();
    expect(hint).toBe(false);
    const before = fake.calls.length;
    expect(await new ApiClient(fake.env).restore()).toBeNull();
    expect(fake.calls).toHaveLength(before);
  });
});
