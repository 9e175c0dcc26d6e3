import { safeNext } from "../router/match";

/** Where a person who signs up should land after verifying their email (e.g. the class they were invited to). */
const KEY = "vtp.afterSignUp";
/** The verification link lasts 24 hours; keep the destination as long. */
const MAX_AGE_MS = 24 * 60 * 60 * 1000;

type Store = Pick<Storage, "getItem" | "setItem" | "removeItem">;

function storage(): Store | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null; // storage disabled
  }
}

/** Remembers `next` (a same-site path only) for `email` until the link in the mail is opened. */
export function rememberDestination(email: string, next: string | null | undefined, store = storage(), now = Date.now()): void {
  if (!store) return;
  const path = safeNext(next, "");
  if (!path) {
    store.removeItem(KEY);
    return;
  }
  store.setItem(KEY, JSON.stringify({ email: email.trim().toLowerCase(), next: path, at: now }));
}

/**
 * The remembered destination: for this email when given, fresh, and still a same-site path
 * (storage can be changed by hand). Null when there is none.
 */
export function rememberedDestination(email?: string, store = storage(), now = Date.now()): string | null {
  const raw = store?.getItem(KEY);
  if (!raw) return null;
  try {
    const saved = JSON.parse(raw) as { email?: unknown; next?: unknown; at?: unknown };
    if (typeof saved.next !== "string" || typeof saved.at !== "number" || now - saved.at > MAX_AGE_MS || now < saved.at - 60_000) return null;
    if (email && typeof saved.email === "string" && saved.email !== email.trim().toLowerCase()) return null;
    return safeNext(saved.next, "") || null;
  } catch {
    return null;
  }
}

/** Forgets it once the person arrived. */
export function forgetDestination(store = storage()): void {
  store?.removeItem(KEY);
}
