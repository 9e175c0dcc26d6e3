import { useState, type FormEvent } from "react";
import { rooms } from "../api/rooms";
import { errorText } from "../api/errors";
import { parseJoinInput, parseRoomLink } from "../lib/joinCode";
import { navigate } from "../router/router";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";

/** A student types (or pastes) the code or the link their teacher shared. */
export function JoinByCode() {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const roomId = parseRoomLink(value);
    if (roomId) return navigate(`/room/${roomId}`);
    const code = parseJoinInput(value);
    if (!code) return setError("Enter the 8-character code from your teacher, like ABCD-EFGH, or paste the class link.");
    setBusy(true);
    try {
      const { room } = await rooms.byCode(code);
      navigate(`/room/${room.id}`);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <section className="card join-card" aria-labelledby="join-h">
      <h2 id="join-h">Join a class</h2>
      <form onSubmit={submit} noValidate className="form">
        {error && (
          <Alert kind="error" testId="join-error">
            {error}
          </Alert>
        )}
        <div className="field">
          <label htmlFor="join-code">Class code or link</label>
          <div className="join-row">
            <input
              id="join-code"
              className="input code-input"
              value={value}
              onChange={(event) => setValue(event.target.value)}
              placeholder="ABCD-EFGH"
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              data-testid="join-code-input"
            />
            <Button type="submit" variant="primary" busy={busy} data-testid="join-code-submit">
              Join
            </Button>
          </div>
        </div>
      </form>
    </section>
  );
}
