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
function harness(handler: (c: Call, n: number) => { status: number; body?: unknown }) {
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
    clearTimer: (h) => {
      const i = timers.findIndex((t) => t.id === h);
      if (i >= 0) timers.splice(i, 1);
    },
    fetch: (async (url: string, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      const c: Call = { url, method: init.method ?? "GET", auth: headers.authorization, body: init.body ? JSON.parse(init.body as string) : undefined };
      calls.push(c);
      const r = handler(c, calls.length);
      return new Response(r.body === undefined ? "" : JSON.stringify(r.body), { status: r.status });
    }) as typeof fetch,
  };
  return {
    env,
    calls,
    timers,
    advance(ms: number) {
      now += ms;
      for (const t of [...timers].sort((a, b) => a.at - b.at)) {
        if (t.at <= now) {
          timers.splice(timers.indexOf(t), 1);
          t.fn();
        }
      }
    },
  };
}

const session = (token: string, expiresIn = 900) => ({ status: 200, body: { accessToken: token, tokenType: "Bearer", expiresIn, user } });
const flush = () => new Promise((r) => setTimeout(r, 0));

describe("refreshDelayMs", () => {
  it("refreshes a minute early for long tokens and a quarter early for short ones", () => {
    expect(refreshDelayMs(900)).toBe(840_000);
    expect(refreshDelayMs(60)).toBe(45_000);
    expect(refreshDelayMs(0)).toBe(1_000);
  });
});

describe("ApiClient", () => {
  it("signs in with the cookie flag and keeps the token in memory", async () => {
    const h = harness((c) => (c.url.endsWith("/login") ? session("A1") : { status: 200, body: { user } }));
    const client = new ApiClient(h.env);
    const events: string[] = [];
    client.subscribe((e) => events.push(e.type));
    await client.login("t@example.org", "correct horse battery");
    expect(h.calls[0].body).toEqual({ email: "t@example.org", password: "correct horse battery", useCookie: true });
    await client.get("/api/v1/auth/profile");
    expect(h.calls[1].auth).toBe("Bearer A1");
    expect(events).toEqual(["signed-in"]);
  });

  it("refreshes silently before the token expires", async () => {
    let n = 0;
    const h = harness((c) => (c.url.endsWith("/login") ? session("A1") : c.url.endsWith("/refresh") ? session(`R${++n}`) : { status: 200, body: {} }));
    const client = new ApiClient(h.env);
    await client.login("t@example.org", "pw");
    expect(h.timers).toHaveLength(1);
    h.advance(839_000);
    expect(h.calls.filter((c) => c.url.endsWith("/refresh"))).toHaveLength(0);
    h.advance(1_000);
    await flush();
    const refreshes = h.calls.filter((c) => c.url.endsWith("/refresh"));
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0].body).toEqual({ useCookie: true });
    await client.get("/x");
    expect(h.calls.at(-1)?.auth).toBe("Bearer R1");
    expect(h.timers).toHaveLength(1); // the next refresh is scheduled
  });

  it("on a 401 refreshes once and retries the request", async () => {
    const h = harness((c) => {
      if (c.url.endsWith("/login")) return session("OLD");
      if (c.url.endsWith("/refresh")) return session("NEW");
      return c.auth === "Bearer NEW" ? { status: 200, body: { ok: 1 } } : { status: 401, body: { error: { code: "UNAUTHORIZED", message: "expired" } } };
    });
    const client = new ApiClient(h.env);
    await client.login("a", "b");
    await expect(client.get("/api/v1/rooms")).resolves.toEqual({ ok: 1 });
    expect(h.calls.map((c) => c.url)).toEqual(["/api/v1/auth/login", "/api/v1/rooms", "/api/v1/auth/refresh", "/api/v1/rooms"]);
  });

  it("does not loop: a second 401 after the retry is an error", async () => {
    const h = harness((c) => {
      if (c.url.endsWith("/login")) return session("A");
      if (c.url.endsWith("/refresh")) return session("B");
      return { status: 401, body: { error: { code: "UNAUTHORIZED", message: "no" } } };
    });
    const client = new ApiClient(h.env);
    await client.login("a", "b");
    await expect(client.get("/x")).rejects.toMatchObject({ code: "UNAUTHORIZED", status: 401 });
    expect(h.calls.filter((c) => c.url === "/x")).toHaveLength(2);
  });

  it("signs out when the refresh is refused", async () => {
    const h = harness((c) => {
      if (c.url.endsWith("/login")) return session("A");
      if (c.url.endsWith("/refresh")) return { status: 401, body: { error: { code: "REFRESH_TOKEN_REUSED", message: "reused" } } };
      return { status: 401, body: { error: { code: "UNAUTHORIZED", message: "no" } } };
    });
    const client = new ApiClient(h.env);
    const events: { type: string; reason?: string }[] = [];
    client.subscribe((e) => events.push(e));
    await client.login("a", "b");
    await expect(client.get("/x")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(client.signedIn).toBe(false);
    expect(events.at(-1)).toEqual({ type: "signed-out", reason: "REFRESH_TOKEN_REUSED" });
    expect(h.timers).toHaveLength(0);
  });

  it("shares one refresh between concurrent callers", async () => {
    const h = harness((c) => (c.url.endsWith("/refresh") ? session("S") : { status: 200, body: {} }));
    const client = new ApiClient(h.env);
    const [a, b] = await Promise.all([client.restore(), client.restore()]);
    expect(a).toEqual(user);
    expect(b).toEqual(user);
    expect(h.calls).toHaveLength(1);
  });

  it("restore resolves to null without a cookie and emits nothing", async () => {
    const h = harness(() => ({ status: 401, body: { error: { code: "UNAUTHORIZED", message: "No refresh token" } } }));
    const client = new ApiClient(h.env);
    const events: string[] = [];
    client.subscribe((e) => events.push(e.type));
    expect(await client.restore()).toBeNull();
    expect(events).toEqual([]);
  });

  it("keeps the session on a network error and retries later", async () => {
    let down = false;
    const h = harness((c) => (c.url.endsWith("/login") ? session("A", 60) : session("B", 60)));
    const fetchOk = h.env.fetch;
    h.env.fetch = ((...args: Parameters<typeof fetch>) => (down ? Promise.reject(new TypeError("Failed to fetch")) : fetchOk(...args))) as typeof fetch;
    const client = new ApiClient(h.env);
    await client.login("a", "b");
    down = true;
    h.advance(45_000);
    await flush();
    expect(client.signedIn).toBe(true);
    down = false;
    h.advance(10_000);
    await flush();
    expect(h.calls.filter((c) => c.url.endsWith("/refresh"))).toHaveLength(1);
    expect(client.signedIn).toBe(true);
  });

  it("keeps the session when the refresh meets a database outage (503 DATABASE_UNAVAILABLE), and refreshes once it is back", async () => {
    let down = false;
    const unavailable = { status: 503, body: { error: { code: "DATABASE_UNAVAILABLE", message: "The database is not reachable right now" } } };
    const h = harness((c) => (c.url.endsWith("/login") ? session("A", 60) : down ? unavailable : session("B", 60)));
    const client = new ApiClient(h.env);
    const events: string[] = [];
    client.subscribe((e) => events.push(e.type));
    await client.login("a", "b");
    down = true;
    h.advance(45_000);
    await flush();
    expect(client.signedIn).toBe(true);
    down = false;
    h.advance(10_000);
    await flush();
    expect(client.signedIn).toBe(true);
    expect(events).toEqual(["signed-in", "user"]);
  });

  it("retries a read while the service answers 503 with a transient code, and says the service is having trouble if it persists", async () => {
    let failures = 2;
    const h = harness((c) => {
      if (c.url.endsWith("/login")) return session("A");
      if (failures-- > 0) return { status: 503, body: { error: { code: "DATABASE_UNAVAILABLE", message: "db" } } };
      return { status: 200, body: { rooms: [] } };
    });
    const client = new ApiClient(h.env);
    await client.login("a", "b");
    const pending = client.get("/api/v1/rooms");
    for (let i = 0; i < 10; i++) {
      await flush();
      h.advance(2_000);
    }
    await expect(pending).resolves.toEqual({ rooms: [] });
    expect(h.calls.filter((c) => c.url === "/api/v1/rooms")).toHaveLength(3);

    // Still down after the retries: the error reads as a passing trouble, not a generic failure.
    failures = 100;
    // The rejection is taken as it happens (while the timers advance), not left unhandled.
    const failing = client.get("/api/v1/rooms").catch((e: unknown) => e);
    for (let i = 0; i < 10; i++) {
      await flush();
      h.advance(2_000);
    }
    const err = await failing;
    expect(errorText(err)).toBe("The service is having trouble, retrying…");
    expect(isTransient(err)).toBe(true);

    // A write is never repeated on its own.
    failures = 1;
    const before = h.calls.length;
    await expect(client.post("/api/v1/rooms", { title: "x" })).rejects.toMatchObject({ code: "DATABASE_UNAVAILABLE" });
    expect(h.calls.length - before).toBe(1);
  });

  it("signs out every tab and adopts a session another tab shared", async () => {
    const subs: ((m: TabMessage) => void)[] = [];
    const posted: TabMessage[] = [];
    const mk = () => {
      const h = harness((c) => (c.url.endsWith("/login") ? session("A") : { status: 200, body: { ok: true } }));
      h.env.channel = {
        post: (m) => {
          posted.push(m);
          for (const s of subs) if (s !== mine) s(m);
        },
        subscribe: (fn) => {
          subs.push(fn);
          mine = fn;
        },
      };
      let mine: ((m: TabMessage) => void) | undefined;
      return { h, client: new ApiClient(h.env) };
    };
    const tab1 = mk();
    const tab2 = mk();
    await tab1.client.login("a", "b");
    expect(tab2.client.signedIn).toBe(true);
    expect(tab2.client.user?.id).toBe("u1");
    await tab2.client.logout();
    expect(tab1.client.signedIn).toBe(false);
    expect(posted.map((m) => m.type)).toEqual(["session", "signed-out"]);
  });

  it("maps error bodies to ApiError with code and details", async () => {
    const h = harness(() => ({ status: 409, body: { error: { code: "EMAIL_TAKEN", message: "taken", details: [{ field: "email" }] } } }));
    const client = new ApiClient(h.env);
    await expect(client.post("/api/v1/auth/register", {}, { auth: false })).rejects.toMatchObject({
      status: 409,
      code: "EMAIL_TAKEN",
      details: [{ field: "email" }],
    });
  });

  it("on a signed-out page asks the server nothing (no 401 in the console); after a sign-in it restores", async () => {
    let refreshes = 0;
    const h = harness((c) => {
      if (c.url.endsWith("/refresh")) return refreshes++ === 0 ? session("R1") : { status: 401, body: { error: { code: "UNAUTHORIZED", message: "no" } } };
      return session("A1");
    });
    let hint = false;
    h.env.sessionHint = { get: () => hint, set: (on) => (hint = on) };
    expect(await new ApiClient(h.env).restore()).toBeNull();
    expect(h.calls).toHaveLength(0);

    const client = new ApiClient(h.env);
    await client.login("a", "b");
    expect(hint).toBe(true);
    // A new page load in this browser restores through the cookie.
    expect(await new ApiClient(h.env).restore()).toMatchObject({ id: "u1" });
    // A refused refresh (cookie gone) clears the hint: the next page asks nothing.
    expect(await new ApiClient(h.env).restore()).toBeNull();
    expect(hint).toBe(false);
    const before = h.calls.length;
    expect(await new ApiClient(h.env).restore()).toBeNull();
    expect(h.calls).toHaveLength(before);
  });
});
