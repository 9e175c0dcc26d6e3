import { useEffect } from "react";
import { recordings } from "../api/recordings";
import type { RoomActions } from "./useRoom";

/**
 * The class's recording as the classroom shows it: on joining a class that is already being
 * recorded the indicator appears; `toggle` starts or stops it (host).
 */
export function useClassRecording(
  roomId: string,
  joinSeq: number,
  recording: { id: string } | null,
  actions: RoomActions,
  run: (done: string, fn: () => Promise<unknown>) => void,
) {
  useEffect(() => {
    if (!joinSeq) return;
    let alive = true;
    recordings.list(roomId).then(
      ({ recordings: list }) => {
        const active = list.find((r) => r.status === "recording");
        if (alive && active) actions.setRecording({ id: active.id, startedAt: active.startedAt });
      },
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [joinSeq, roomId, actions]);

  return () =>
    recording
      ? run("Recording stopped. It will be ready in Recordings soon.", () => recordings.stop(recording.id).then(() => actions.setRecording(null)))
      : run("Recording started. Everyone sees the indicator.", () =>
          recordings.start(roomId).then(({ recording: started }) => actions.setRecording({ id: started.id, startedAt: started.startedAt })),
        );
}
