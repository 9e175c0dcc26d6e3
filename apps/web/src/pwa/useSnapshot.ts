import { useEffect } from "react";
import type { RecordingDto, RoomDto, UserDto } from "@vtp/protocol";
import { saveClassSnapshot, saveRecordingsSnapshot } from "./snapshot";

/** The class details page keeps what it showed for the offline view. */
export function useSaveClassOffline(user: UserDto | null, room: RoomDto | undefined | null): void {
  useEffect(() => {
    if (user && room) saveClassSnapshot(user, room);
  }, [user, room]);
}

/** The recordings page keeps its list for the offline view. */
export function useSaveRecordingsOffline(user: UserDto | null, list: RecordingDto[] | undefined): void {
  useEffect(() => {
    if (user && list) saveRecordingsSnapshot(user, list);
  }, [user, list]);
}
