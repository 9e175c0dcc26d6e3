import { useEffect, useState } from "react";
import { rooms } from "../api/rooms";
import { errorText } from "../api/errors";
import { parseJoinInput } from "../lib/joinCode";
import { Link, navigate } from "../router/router";
import { Alert } from "../ui/Alert";
import { useTitle } from "../ui/Page";
import { Loading } from "../ui/Spinner";

/** /join/:code — the link teachers share: look the class up and go to it. */
export function JoinCodePage({ code }: { code: string }) {
  useTitle("Joining");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const parsed = parseJoinInput(code);
    if (!parsed) return setError("This join link is not valid. Ask your teacher for the class code.");
    let alive = true;
    rooms.byCode(parsed).then(
      ({ room }) => alive && navigate(`/room/${room.id}`, { replace: true }),
      (err) => alive && setError(errorText(err)),
    );
    return () => {
      alive = false;
    };
  }, [code]);
  if (!error) return <Loading label="Finding your class…" />;
  return (
    <div className="container container-narrow">
      <div className="stack" style={{ marginTop: 32 }}>
        <Alert kind="error" testId="join-link-error">
          {error}
        </Alert>
        <Link className="btn btn-primary" to="/dashboard">
          Go to your dashboard
        </Link>
      </div>
    </div>
  );
}
