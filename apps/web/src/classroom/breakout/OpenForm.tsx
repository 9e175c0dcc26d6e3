import { useEffect, useState, type DragEvent, type FormEvent } from "react";
import { BREAKOUT_GROUPS_MAX, BREAKOUT_GROUPS_MIN, BREAKOUT_NAME_MAX, type BreakoutGroupDraft, type BreakoutMode, type MaterialDto } from "@vtp/protocol";
import { materialsApi } from "../materials/api";
import { groupNames, shuffleIntoGroups } from "./breakoutState";

export interface Person {
  userId: string;
  name: string;
}

const MODES: { value: BreakoutMode; label: string; help: string }[] = [
  { value: "auto", label: "Automatically", help: "Balanced groups, people picked at random." },
  { value: "manual", label: "By hand", help: "Drag people between groups, or pick a group for each." },
  { value: "self", label: "Students choose", help: "Each student picks a group to join." },
];

/**
 * The host's form to open groups: how many (2–50), how people are placed, the groups' names and
 * a duration (or open-ended), the document each group's board starts on, and whether each group is recorded. By hand: a board of groups to drag people between, and a group
 * picker on every person for touch screens and keyboards.
 */
export function OpenForm({
  roomId,
  people,
  onOpen,
}: {
  roomId: string;
  /** The class's students (in the main room now). */
  people: Person[];
  onOpen: (mode: BreakoutMode, groups: BreakoutGroupDraft[], durationSeconds: number | null, recordGroups: boolean) => Promise<unknown>;
}) {
  const [count, setCount] = useState(2);
  const [mode, setMode] = useState<BreakoutMode>("auto");
  const [names, setNames] = useState<string[]>([]);
  const [timed, setTimed] = useState(true);
  const [minutes, setMinutes] = useState(10);
  /** "Record each group": a recording of the class per group (refused when the server cannot record). */
  const [record, setRecord] = useState(false);
  const [placed, setPlaced] = useState<Record<string, number>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragged, setDragged] = useState<string | null>(null);
  /** The class's documents, and the one picked for each group ("" = a whiteboard). */
  const [documents, setDocuments] = useState<MaterialDto[]>([]);
  const [picked, setPicked] = useState<string[]>([]);
  useEffect(() => {
    let alive = true;
    materialsApi.list(roomId).then(
      ({ materials }) => alive && setDocuments(materials),
      () => undefined, // No list: groups start on a whiteboard.
    );
    return () => {
      alive = false;
    };
  }, [roomId]);
  const labels = groupNames(count, names);
  /** A person's group in the manual draft (-1: not placed yet). */
  const slotOf = (userId: string) => {
    const slot = placed[userId];
    return slot !== undefined && slot < count ? slot : -1;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!(count >= BREAKOUT_GROUPS_MIN && count <= BREAKOUT_GROUPS_MAX)) return setError(`Choose ${BREAKOUT_GROUPS_MIN} to ${BREAKOUT_GROUPS_MAX} groups.`);
    if (labels.some((name) => !name.trim())) return setError("Give every group a name.");
    if (timed && !(minutes >= 1 && minutes <= 240)) return setError("The duration is 1 to 240 minutes.");
    const groups: BreakoutGroupDraft[] = labels.map((name, index) => ({
      name: name.trim(),
      ...(picked[index] ? { materialId: picked[index] } : {}),
      ...(mode === "manual" ? { userIds: people.filter((p) => slotOf(p.userId) === index).map((p) => p.userId) } : {}),
    }));
    setBusy(true);
    try {
      await onOpen(mode, groups, timed ? Math.round(minutes * 60) : null, record);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const drop = (slot: number) => (event: DragEvent) => {
    event.preventDefault();
    const userId = event.dataTransfer.getData("text/plain") || dragged;
    if (userId) setPlaced((before) => ({ ...before, [userId]: slot }));
    setDragged(null);
  };
  const personChip = (person: Person) => (
    <li
      key={person.userId}
      className="breakout-person"
      draggable
      onDragStart={(event) => {
        event.dataTransfer.setData("text/plain", person.userId);
        setDragged(person.userId);
      }}
      data-testid="breakout-draft-person"
      data-user-id={person.userId}
      data-group={slotOf(person.userId)}
    >
      <span className="grow">{person.name}</span>
      <select
        aria-label={`Group for ${person.name}`}
        value={slotOf(person.userId)}
        onChange={(event) => setPlaced((before) => ({ ...before, [person.userId]: Number(event.target.value) }))}
        data-testid="breakout-draft-select"
      >
        <option value={-1}>Not placed</option>
        {labels.map((name, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: groups are positions in the draft.
          <option key={index} value={index}>
            {name}
          </option>
        ))}
      </select>
    </li>
  );

  return (
    <form className="breakout-form" onSubmit={submit} data-testid="breakout-form" noValidate>
      <label className="breakout-field">
        <span>Number of groups</span>
        <input
          type="number"
          min={BREAKOUT_GROUPS_MIN}
          max={BREAKOUT_GROUPS_MAX}
          value={count}
          onChange={(event) => setCount(Math.max(0, Math.min(BREAKOUT_GROUPS_MAX, Math.floor(Number(event.target.value) || 0))))}
          data-testid="breakout-count"
        />
      </label>
      <fieldset className="breakout-field">
        <legend>Who goes where</legend>
        {MODES.map((option) => (
          <label key={option.value} className="breakout-mode">
            <input
              type="radio"
              name="breakout-mode"
              checked={mode === option.value}
              onChange={() => setMode(option.value)}
              data-testid={`breakout-mode-${option.value}`}
            />
            <span>
              <strong>{option.label}</strong> <small>{option.help}</small>
            </span>
          </label>
        ))}
      </fieldset>
      <fieldset className="breakout-field">
        <legend>Names</legend>
        {labels.map((name, index) => (
          <input
            // biome-ignore lint/suspicious/noArrayIndexKey: groups are positions in the draft.
            key={index}
            aria-label={`Name of group ${index + 1}`}
            value={name}
            maxLength={BREAKOUT_NAME_MAX}
            onChange={(event) => setNames(labels.map((old, i) => (i === index ? event.target.value : old)))}
            data-testid="breakout-name"
          />
        ))}
      </fieldset>
      {documents.length > 0 && (
        <fieldset className="breakout-field">
          <legend>Each group's board starts on</legend>
          {labels.map((name, index) => (
            <select
              // biome-ignore lint/suspicious/noArrayIndexKey: groups are positions in the draft.
              key={index}
              aria-label={`Document for ${name || `group ${index + 1}`}`}
              value={picked[index] ?? ""}
              onChange={(event) => setPicked(labels.map((_name, i) => (i === index ? event.target.value : (picked[i] ?? ""))))}
              data-testid="breakout-material"
            >
              <option value="">A whiteboard</option>
              {documents.map((doc) => (
                <option key={doc.id} value={doc.id}>
                  {doc.title}
                </option>
              ))}
            </select>
          ))}
        </fieldset>
      )}
      {mode === "manual" && (
        <fieldset className="breakout-field">
          <legend>People</legend>
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            onClick={() =>
              setPlaced(
                shuffleIntoGroups(
                  people.map((p) => p.userId),
                  count,
                ),
              )
            }
          >
            Shuffle into groups
          </button>
          <ul className="breakout-unplaced" onDragOver={(event) => event.preventDefault()} onDrop={drop(-1)} aria-label="Not placed">
            {people.filter((p) => slotOf(p.userId) < 0).map(personChip)}
          </ul>
          {labels.map((name, index) => (
            <section
              aria-label={name}
              // biome-ignore lint/suspicious/noArrayIndexKey: groups are positions in the draft.
              key={index}
              className="breakout-dropzone"
              onDragOver={(event) => event.preventDefault()}
              onDrop={drop(index)}
              data-testid="breakout-draft-group"
              data-index={index}
            >
              <h4>{name}</h4>
              <ul>{people.filter((p) => slotOf(p.userId) === index).map(personChip)}</ul>
            </section>
          ))}
        </fieldset>
      )}
      <fieldset className="breakout-field">
        <legend>Time</legend>
        <label className="breakout-mode">
          <input type="radio" name="breakout-time" checked={timed} onChange={() => setTimed(true)} data-testid="breakout-timed" />
          <span>
            Close after{" "}
            <input
              type="number"
              min={1}
              max={240}
              value={minutes}
              aria-label="Minutes"
              onChange={(event) => setMinutes(Number(event.target.value))}
              data-testid="breakout-minutes"
            />{" "}
            minutes (everyone sees the countdown; a warning one minute before)
          </span>
        </label>
        <label className="breakout-mode">
          <input type="radio" name="breakout-time" checked={!timed} onChange={() => setTimed(false)} data-testid="breakout-open-ended" />
          <span>Open-ended: I close the groups</span>
        </label>
      </fieldset>
      <label className="breakout-mode">
        <input type="checkbox" checked={record} onChange={(event) => setRecord(event.target.checked)} data-testid="breakout-record-groups" />
        <span>
          <strong>Record each group</strong>{" "}
          <small>Each group gets a recording of its own in the class's recordings; everyone in a group sees it is recorded.</small>
        </span>
      </label>
      {error && (
        <p className="form-error" role="alert" data-testid="breakout-form-error">
          {error}
        </p>
      )}
      <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="breakout-open">
        Open {count} groups
      </button>
    </form>
  );
}
