import { useState, type FormEvent } from "react";
import type { RoomDto } from "@vtp/protocol";
import { rooms } from "../api/rooms";
import { errorText } from "../api/errors";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Field } from "../ui/Field";

/** "New class": title, optional description and start time, and the class settings. */
export function CreateClass({ onCreated, onCancel }: { onCreated: (room: RoomDto) => void; onCancel: () => void }) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [when, setWhen] = useState("");
  const [waitingRoom, setWaitingRoom] = useState(false);
  const [chatEnabled, setChatEnabled] = useState(true);
  const [studentsCanPublish, setStudentsCanPublish] = useState(false);
  const [errors, setErrors] = useState<{ title?: string; when?: string }>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const reset = () => {
    setTitle("");
    setDescription("");
    setWhen("");
    setErrors({});
    setError(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: typeof errors = {};
    if (!title.trim()) found.title = "Give the class a title.";
    else if (title.trim().length > 200) found.title = "Use at most 200 characters.";
    const at = when ? new Date(when) : null;
    if (at && Number.isNaN(at.getTime())) found.when = "Enter a valid date and time.";
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    setError(null);
    try {
      const { room } = await rooms.create({
        title: title.trim(),
        description: description.trim() || undefined,
        scheduledStart: at ? at.toISOString() : undefined,
        settings: { waitingRoom, chatEnabled, studentsCanPublish },
      });
      reset();
      onCreated(room);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card create-class" aria-labelledby="new-class-h">
      <h2 id="new-class-h">New class</h2>
      <form className="form" onSubmit={submit} noValidate data-testid="create-class-form">
        {error && <Alert kind="error">{error}</Alert>}
        <Field
          label="Title"
          value={title}
          onChange={setTitle}
          error={errors.title}
          maxLength={200}
          placeholder="e.g. Algebra — week 3"
          testId="class-title"
          autoFocus
        />
        <div className="field">
          <label htmlFor="class-description">Description (optional)</label>
          <textarea
            id="class-description"
            className="textarea"
            value={description}
            onChange={(event) => setDescription(event.target.value)}
            maxLength={5000}
            data-testid="class-description"
          />
        </div>
        <Field
          label="Starts at (optional)"
          type="datetime-local"
          value={when}
          onChange={setWhen}
          error={errors.when}
          hint="Leave empty to start whenever you are ready."
          testId="class-when"
        />
        <fieldset className="checks">
          <legend>Settings</legend>
          <label className="checkbox">
            <input type="checkbox" checked={chatEnabled} onChange={(event) => setChatEnabled(event.target.checked)} /> Chat is on
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={waitingRoom} onChange={(event) => setWaitingRoom(event.target.checked)} data-testid="class-waiting-room" /> Waiting
            room: I let students in
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={studentsCanPublish} onChange={(event) => setStudentsCanPublish(event.target.checked)} /> Students may turn on camera
            and mic
          </label>
        </fieldset>
        <div className="row">
          <Button type="submit" variant="primary" busy={busy} data-testid="create-class-submit">
            Create class
          </Button>
          <Button
            variant="ghost"
            onClick={() => {
              reset();
              onCancel();
            }}
          >
            Cancel
          </Button>
        </div>
      </form>
    </section>
  );
}
