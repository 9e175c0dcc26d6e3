import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import type { UserDto } from "@vtp/protocol";
import { api } from "../api/browser";
import { humanMessage } from "../api/errors";

export interface SessionState {
  status: "loading" | "signed-in" | "signed-out";
  user: UserDto | null;
  /** Why the last session ended without the person asking (shown on the sign-in page). */
  endedReason: string | null;
}

const SessionContext = createContext<SessionState>({ status: "loading", user: null, endedReason: null });

/** Restores the session from the refresh cookie on load and follows sign-in/out in every tab. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "loading", user: null, endedReason: null });
  useEffect(() => {
    const off = api.subscribe((event) => {
      if (event.type === "signed-out") {
        const reason =
          event.reason && event.reason !== "UNAUTHORIZED"
            ? humanMessage(event.reason)
            : event.reason
              ? "Your session has expired. Please sign in again."
              : null;
        setState({ status: "signed-out", user: null, endedReason: reason });
      } else setState({ status: "signed-in", user: event.user, endedReason: null });
    });
    let alive = true;
    void api.restore().then((user) => {
      if (!alive) return;
      setState((current) =>
        current.status === "loading"
          ? user
            ? { status: "signed-in", user, endedReason: null }
            : { status: "signed-out", user: null, endedReason: null }
          : current,
      );
    });
    return () => {
      alive = false;
      off();
    };
  }, []);
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  return useContext(SessionContext);
}

/** The signed-in user (only inside routes that require a session). */
export function useUser(): UserDto {
  const session = useSession();
  if (!session.user) throw new Error("useUser outside a signed-in route");
  return session.user;
}
