import { useMemo, useReducer, useState, type RefObject } from "react";
import type { QuizDraft, QuizDto, RoomRole } from "@vtp/protocol";
import type { RoomConnection } from "../connection";
import { useClassFeed } from "../useClassFeed";
import { cardKey, initialQuizzesState, quizzesReducer } from "./quizState";

/** Teachers and speakers run quizzes; students answer them. */
export const managesQuizzes = (role: RoomRole | undefined) => role === "host" || role === "presenter";

/** The class's quizzes over the classroom's socket: the quiz events, and `quiz-list` on every (re)join and role change. */
export function useQuizzes(conn: RefObject<RoomConnection | null>, roomId: string, joinSeq: number, role: RoomRole | undefined) {
  const [state, dispatch] = useReducer(quizzesReducer, initialQuizzesState);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const { listError, send } = useClassFeed(conn, roomId, joinSeq, role, {
    handlers: {
      "quiz-updated": (event) => dispatch({ type: "updated", quiz: event.quiz }),
      "quiz-results": (event) => dispatch({ type: "results", results: event.results }),
      "quiz-deleted": (event) => dispatch({ type: "deleted", quizId: event.quizId }),
      "quiz-score": (event) => dispatch({ type: "submitted", submission: event.submission }),
    },
    load: (connection) => connection.send("quiz-list", { roomId }),
    loaded: ({ quizzes }, firstJoin) => {
      dispatch({ type: "list", views: quizzes });
      setHidden((before) =>
        before.size > 0 || !firstJoin ? before : new Set(quizzes.filter((view) => view.quiz.status !== "open").map((view) => cardKey(view.quiz))),
      );
    },
  });

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
