import { useCallback, useEffect, useMemo, useReducer, useState, type RefObject } from "react";
import type { QuizDraft, QuizDto, RoomRole, ServerEventPayload } from "@vtp/protocol";
import type { RoomConnection } from "../connection";
import { cardKey, initialQuizzesState, quizzesReducer } from "./quizState";

/** Teachers and speakers run quizzes; students answer them. */
export const managesQuizzes = (role: RoomRole | undefined) => role === "host" || role === "presenter";

/** The class's quizzes over the classroom's socket: the quiz events, and `quiz-list` on every (re)join and role change. */
export function useQuizzes(conn: RefObject<RoomConnection | null>, roomId: string, joinSeq: number, role: RoomRole | undefined) {
  const [state, dispatch] = useReducer(quizzesReducer, initialQuizzesState);
  const [listError, setListError] = useState<unknown>(null);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());

  useEffect(() => {
    const connection = conn.current;
    if (!connection || !joinSeq || !role) return;
    const socket = connection.socket;
    let alive = true;
    const onUpdated = (event: ServerEventPayload<"quiz-updated">) => event.roomId === roomId && dispatch({ type: "updated", quiz: event.quiz });
    const onResults = (event: ServerEventPayload<"quiz-results">) => event.roomId === roomId && dispatch({ type: "results", results: event.results });
    const onDeleted = (event: ServerEventPayload<"quiz-deleted">) => event.roomId === roomId && dispatch({ type: "deleted", quizId: event.quizId });
    const onScore = (event: ServerEventPayload<"quiz-score">) => event.roomId === roomId && dispatch({ type: "submitted", submission: event.submission });
    socket.on("quiz-updated", onUpdated);
    socket.on("quiz-results", onResults);
    socket.on("quiz-deleted", onDeleted);
    socket.on("quiz-score", onScore);
    connection.send("quiz-list", { roomId }).then(
      ({ quizzes }) => {
        if (!alive) return;
        setListError(null);
        dispatch({ type: "list", views: quizzes });
        setHidden((before) =>
          before.size > 0 || joinSeq > 1 ? before : new Set(quizzes.filter((view) => view.quiz.status !== "open").map((view) => cardKey(view.quiz))),
        );
      },
      (err) => alive && setListError(err),
    );
    return () => {
      alive = false;
      socket.off("quiz-updated", onUpdated);
      socket.off("quiz-results", onResults);
      socket.off("quiz-deleted", onDeleted);
      socket.off("quiz-score", onScore);
    };
  }, [conn, roomId, joinSeq, role]);

  const send = useCallback(
    <T>(fn: (connection: RoomConnection) => Promise<T>): Promise<T> => {
      const connection = conn.current;
      return connection ? fn(connection) : Promise.reject(new Error("Not connected"));
    },
    [conn],
  );

  const actions = useMemo(
    () => ({
      create: async (draft: QuizDraft, open: boolean): Promise<QuizDto> => {
        const { quiz } = await send((connection) => connection.send("quiz-create", { roomId, quiz: draft, open }));
        dispatch({ type: "updated", quiz });
        return quiz;
      },
      open: async (quizId: string) => {
        const { quiz } = await send((connection) => connection.send("quiz-open", { roomId, quizId }));
        dispatch({ type: "updated", quiz });
      },
      close: async (quizId: string) => {
        const { quiz, results } = await send((connection) => connection.send("quiz-close", { roomId, quizId }));
        dispatch({ type: "updated", quiz });
        dispatch({ type: "results", results });
      },
      remove: async (quizId: string) => {
        await send((connection) => connection.send("quiz-delete", { roomId, quizId }));
        dispatch({ type: "deleted", quizId });
      },
      submit: async (quizId: string, answers: number[][]) => {
        const { submission } = await send((connection) => connection.send("quiz-submit", { roomId, quizId, answers }));
        dispatch({ type: "submitted", submission });
      },
      hideCard: (quiz: QuizDto) => setHidden((before) => new Set([...before, cardKey(quiz)])),
    }),
    [roomId, send],
  );

  return { state, hidden, listError, actions };
}

export type Quizzes = ReturnType<typeof useQuizzes>;
export type QuizActions = Quizzes["actions"];
