import type { ErrorResponse, SessionResponse, UserDto } from "@vtp/protocol";
import { ApiError, TRANSIENT_CODES } from "./errors";
import { isExpiringSoon, refreshDelayMs } from "./schedule";

/** Messages exchanged between tabs of the same browser (same origin). */
export type TabMessage = { type: "session"; accessToken: string; expiresAt: number; user: UserDto } | { type: "signed-out" };

export type SessionEvent = { type: "signed-in"; user: UserDto } | { type: "user"; user: UserDto } | { type: "signed-out"; reason?: string };

/** Everything the client needs from its surroundings, so it can run (and be tested) outside a browser. */
export interface ClientEnv {
  fetch: typeof fetch;
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Serializes refreshes across tabs (the refresh cookie rotates: two at once would look like a replay). */
  lock?<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Shares the session with other tabs so they neither refresh needlessly nor stay signed in after sign-out. */
  channel?: { post(msg: TabMessage): void; subscribe(fn: (msg: TabMessage) => void): void };
  /**
   * Whether this browser may hold a refresh cookie (the cookie itself is httpOnly, so the page
   * cannot see it). Without one, restore() does not ask the server: no 401 on signed-out pages.
   */
  sessionHint?: { get(): boolean; set(on: boolean): void };
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Send the access token (default true). */
  auth?: boolean;
  signal?: AbortSignal;
  /** Return the raw Response instead of parsed JSON (for downloads). */
  raw?: boolean;
}

const AUTH_PATH = "/api/v1/auth";
const RETRY_AFTER_NETWORK_ERROR_MS = 10_000;
/** A read answered 503 with a transient code (database or live state out of reach) is tried again this many times. */
const TRANSIENT_RETRIES = 3;
const TRANSIENT_DELAY_MS = { fallback: 2_000, max: 5_000 };

/**
 * The browser's API client. The access token lives only in memory; the refresh token is the
 * httpOnly cookie. Tokens are refreshed silently before they expire and once after a 401.
 */
export class ApiClient {
  private accessToken: string | null = null;
  private expiresAt = 0;
  private timer: unknown = null;
  private inflight: Promise<boolean> | null = null;
  private generation = 0;
  private listeners = new Set<(event: SessionEvent) => void>();
  user: UserDto | null = null;

  constructor(
    private readonly env: ClientEnv,
    private readonly base = "",
  ) {
    env.channel?.subscribe((msg) => this.onTabMessage(msg));
  }

  subscribe(fn: (event: SessionEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  /** A valid access token (refreshing first if it is about to expire), e.g. for the socket handshake. */
  async token(): Promise<string | null> {
    if (this.accessToken && isExpiringSoon(this.expiresAt, this.env.now())) await this.refresh();
    return this.accessToken;
  }

  async login(email: string, password: string): Promise<UserDto> {
    const session = await this.request<SessionResponse>("POST", `${AUTH_PATH}/login`, {
      auth: false,
      body: { email, password, useCookie: true },
    });
    this.adopt(session.accessToken, this.env.now() + session.expiresIn * 1000, session.user, true);
    return session.user;
  }

  /** On page load: try the refresh cookie. Resolves to the user, or null when not signed in. */
  async restore(): Promise<UserDto | null> {
    if (this.env.sessionHint && !this.env.sessionHint.get()) return null;
    const ok = await this.refresh();
    return ok ? this.user : null;
  }

  /** Rotates the refresh cookie for a new access token. Concurrent calls share one request. */
  refresh(): Promise<boolean> {
    if (this.inflight) return this.inflight;
    const gen = this.generation;
    const run = async () => {
      // Another tab may have refreshed (and shared the result) while this one waited for the lock.
      if (this.generation !== gen && this.accessToken && !isExpiringSoon(this.expiresAt, this.env.now())) return true;
      try {
        const session = await this.request<SessionResponse>("POST", `${AUTH_PATH}/refresh`, { auth: false, body: { useCookie: true } });
        this.adopt(session.accessToken, this.env.now() + session.expiresIn * 1000, session.user, true);
        return true;
      } catch (err) {
        if (err instanceof ApiError && (err.code === "NETWORK" || TRANSIENT_CODES.has(err.code))) {
          // Keep the session; try again soon. Requests meanwhile fail with a network error.
          if (this.accessToken) this.schedule(RETRY_AFTER_NETWORK_ERROR_MS);
          return false;
        }
        this.clear(err instanceof ApiError ? err.code : undefined, true);
        return false;
      }
    };
    const pending = (this.env.lock ? this.env.lock("vtp-refresh", run) : run()).finally(() => {
      this.inflight = null;
    });
    this.inflight = pending;
    return pending;
  }

  async logout(): Promise<void> {
    try {
      await this.request("POST", `${AUTH_PATH}/logout`, { auth: false, body: {} });
    } catch {
      // Signing out locally matters most; the cookie is cleared by the server when it is reachable.
    }
    this.clear(undefined, true);
  }

  /** After a profile change: tell the app (and other tabs) about the new user. */
  setUser(user: UserDto) {
    this.user = user;
    this.emit({ type: "user", user });
    if (this.accessToken) this.env.channel?.post({ type: "session", accessToken: this.accessToken, expiresAt: this.expiresAt, user });
  }

  get<T>(path: string, opts?: Omit<RequestOptions, "body">) {
    return this.request<T>("GET", path, opts);
  }
  post<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>("POST", path, { ...opts, body: body ?? {} });
  }
  patch<T>(path: string, body: unknown, opts?: RequestOptions) {
    return this.request<T>("PATCH", path, { ...opts, body });
  }
  delete<T>(path: string, opts?: RequestOptions) {
    return this.request<T>("DELETE", path, opts);
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const auth = opts.auth ?? true;
    if (auth && this.accessToken && isExpiringSoon(this.expiresAt, this.env.now())) await this.refresh();
    let res = await this.send(method, path, opts, auth);
    if (res.status === 401 && auth && this.user) {
      // The token may have expired in the meantime (sleep, clock skew): refresh once and retry.
      if (await this.refresh()) res = await this.send(method, path, opts, auth);
    }
    // Reads are safe to repeat: while the service says it is in trouble for a moment, wait (Retry-After) and try again.
    for (let attempt = 0; (method === "GET" || method === "HEAD") && attempt < TRANSIENT_RETRIES && (await isTransientResponse(res)); attempt++) {
      await new Promise<void>((resolve) => this.env.setTimer(resolve, retryDelayMs(res)));
      res = await this.send(method, path, opts, auth);
    }
    if (opts.raw && res.ok) return res as unknown as T;
    return this.parse<T>(res);
  }

  private async send(method: string, path: string, opts: RequestOptions, auth: boolean): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    if (auth && this.accessToken) headers.authorization = `Bearer ${this.accessToken}`;
    let url = this.base + path;
    if (opts.query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(opts.query)) if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
      const queryString = params.toString();
      if (queryString) url += (url.includes("?") ? "&" : "?") + queryString;
    }
    try {
      return await this.env.fetch(url, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        credentials: "same-origin",
        signal: opts.signal,
      });
    } catch (err) {
      if (err instanceof Error && err.name === "AbortError") throw err;
      throw new ApiError(0, "NETWORK", "The server could not be reached");
    }
  }

  private async parse<T>(res: Response): Promise<T> {
    const text = await res.text();
    let data: unknown;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    if (res.ok) return data as T;
    const error = (data as ErrorResponse | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? res.statusText, error?.details);
  }

  private adopt(token: string, expiresAt: number, user: UserDto, broadcast: boolean) {
    const wasSignedIn = this.accessToken !== null;
    const sameUser = this.user?.id === user.id;
    this.accessToken = token;
    this.expiresAt = expiresAt;
    this.user = user;
    this.generation++;
    this.env.sessionHint?.set(true);
    this.schedule(refreshDelayMs((expiresAt - this.env.now()) / 1000));
    if (broadcast) this.env.channel?.post({ type: "session", accessToken: token, expiresAt, user });
    this.emit(wasSignedIn && sameUser ? { type: "user", user } : { type: "signed-in", user });
  }

  private clear(reason: string | undefined, broadcast: boolean) {
    const was = this.accessToken !== null || this.user !== null;
    this.accessToken = null;
    this.expiresAt = 0;
    this.user = null;
    this.generation++;
    if (broadcast) this.env.sessionHint?.set(false);
    if (this.timer !== null) this.env.clearTimer(this.timer);
    this.timer = null;
    if (broadcast) this.env.channel?.post({ type: "signed-out" });
    if (was) this.emit({ type: "signed-out", reason });
  }

  private schedule(ms: number) {
    if (this.timer !== null) this.env.clearTimer(this.timer);
    this.timer = this.env.setTimer(() => {
      this.timer = null;
      void this.refresh();
    }, ms);
  }

  private onTabMessage(msg: TabMessage) {
    if (msg.type === "signed-out") this.clear(undefined, false);
    else if (msg.expiresAt > this.env.now()) this.adopt(msg.accessToken, msg.expiresAt, msg.user, false);
  }

  private emit(event: SessionEvent) {
    for (const fn of this.listeners) fn(event);
  }
}

async function isTransientResponse(res: Response): Promise<boolean> {
  if (res.status !== 503) return false;
  try {
    const body = (await res.clone().json()) as ErrorResponse;
    return TRANSIENT_CODES.has(body?.error?.code ?? "");
  } catch {
    return false;
  }
}

function retryDelayMs(res: Response): number {
  const seconds = Number(res.headers.get("retry-after"));
  const ms = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : TRANSIENT_DELAY_MS.fallback;
  return Math.min(ms, TRANSIENT_DELAY_MS.max);
}
