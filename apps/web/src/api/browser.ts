import { ApiClient, type ClientEnv, type TabMessage } from "./client";

function browserEnv(): ClientEnv {
  const env: ClientEnv = {
    fetch: (...args) => fetch(...args),
    now: () => Date.now(),
    setTimer: (fn, ms) => window.setTimeout(fn, ms),
    clearTimer: (handle) => window.clearTimeout(handle as number),
  };
  try {
    const store = window.localStorage;
    const KEY = "vtp.session";
    env.sessionHint = { get: () => store.getItem(KEY) === "1", set: (on) => (on ? store.setItem(KEY, "1") : store.removeItem(KEY)) };
  } catch {
    // No storage (disabled): always ask the server.
  }
  if (typeof navigator !== "undefined" && navigator.locks) {
    env.lock = (name, fn) => navigator.locks.request(name, fn);
  }
  if (typeof BroadcastChannel !== "undefined") {
    const bc = new BroadcastChannel("vtp-session");
    env.channel = {
      post: (msg: TabMessage) => bc.postMessage(msg),
      subscribe: (fn) => bc.addEventListener("message", (event: MessageEvent<TabMessage>) => fn(event.data)),
    };
  }
  return env;
}

/** The one API client of the page. */
export const api = new ApiClient(browserEnv());
