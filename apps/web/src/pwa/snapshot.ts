import type { RecordingDto, RoomDto } from "@vtp/protocol";

/**
 * What the offline view may show: the last class details page and the recordings list that the
 * signed-in person saw, kept in localStorage by those pages (never by the service worker).
 * Only what those pages showed, no tokens; one person at a time, removed on sign-out.
 */
export interface OfflineSnapshot {
  userId: string;
  userName: string;
  lastClass:
    | (Pick<RoomDto, "id" | "title" | "description" | "hostName" | "status" | "scheduledStart" | "startedAt" | "endedAt" | "code"> & { savedAt: string })
    | null;
  recordings: { items: Pick<RecordingDto, "id" | "title" | "status" | "startedAt" | "durationSeconds">[]; savedAt: string } | null;
}

const KEY = "vtp.offline";
/** Set by the API client while this browser holds a session (see api/browser.ts). */
const SESSION_HINT = "vtp.session";
const MAX_RECORDINGS = 50;

function store(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function readSnapshot(): OfflineSnapshot | null {
  const storage = store();
  if (storage?.getItem(SESSION_HINT) !== "1") return null;
  try {
    const parsed = JSON.parse(storage.getItem(KEY) ?? "null") as OfflineSnapshot | null;
    return parsed && typeof parsed.userId === "string" ? parsed : null;
  } catch {
    return null;
  }
}

function update(user: { id: string; fullName: string }, change: (snapshot: OfflineSnapshot) => void): void {
  const storage = store();
  if (!storage) return;
  const current = readSnapshot();
  // Another person's snapshot is replaced, never mixed.
  const snapshot: OfflineSnapshot = current?.userId === user.id ? current : { userId: user.id, userName: user.fullName, lastClass: null, recordings: null };
  snapshot.userName = user.fullName;
  change(snapshot);
  try {
    storage.setItem(KEY, JSON.stringify(snapshot));
  } catch {
    // Storage full or disabled: the offline view simply has less to show.
  }
}

/** The class details page saw this class. */
export function saveClassSnapshot(user: { id: string; fullName: string }, room: RoomDto): void {
  const { id, title, description, hostName, status, scheduledStart, startedAt, endedAt, code } = room;
  update(user, (snapshot) => {
    snapshot.lastClass = { id, title, description, hostName, status, scheduledStart, startedAt, endedAt, code, savedAt: new Date().toISOString() };
  });
}

/** The recordings page saw this list. */
export function saveRecordingsSnapshot(user: { id: string; fullName: string }, list: RecordingDto[]): void {
  update(user, (snapshot) => {
    snapshot.recordings = {
      items: list.slice(0, MAX_RECORDINGS).map(({ id, title, status, startedAt, durationSeconds }) => ({ id, title, status, startedAt, durationSeconds })),
      savedAt: new Date().toISOString(),
    };
  });
}

export function clearSnapshot(): void {
  store()?.removeItem(KEY);
}

/**
 * Removes the snapshot when the person signs out (here or in another tab) or the session ends,
 * and at start-up when this browser no longer holds a session.
 */
export function clearSnapshotOnSignOut(subscribe: (listener: (event: { type: string }) => void) => unknown): void {
  if (store()?.getItem(SESSION_HINT) !== "1") clearSnapshot();
  subscribe((event) => {
    if (event.type === "signed-out") clearSnapshot();
  });
}
