import type { PollAnswerDto, PollDto, PollResultsDto } from "@vtp/protocol";
import type { PollAnswerRow, PollRow } from "./repo.js";

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

export function toPollDto(row: PollRow): PollDto {
  return {
    id: row.id,
    roomId: row.room_id,
    question: row.question,
    kind: row.kind,
    options: row.options,
    anonymous: row.anonymous,
    showResultsLive: row.show_results_live,
    durationSeconds: row.duration_seconds,
    status: row.status,
    published: row.published,
    createdBy: row.created_by ?? "",
    createdAt: new Date(row.created_at).toISOString(),
    openedAt: iso(row.opened_at),
    closesAt: iso(row.closes_at),
    closedAt: iso(row.closed_at),
    rerunOf: row.rerun_of,
  };
}

/** Counts the answers; names of text answers only for a named poll (an anonymous poll stores none anyway). */
export function toResults(poll: PollRow, answers: Array<Pick<PollAnswerRow, "choices" | "text" | "author_name">>): PollResultsDto {
  const counts = poll.kind === "text" ? [] : poll.options.map(() => 0);
  const textAnswers: PollResultsDto["textAnswers"] = [];
  for (const answer of answers) {
    for (const choice of answer.choices) if (choice >= 0 && choice < counts.length) counts[choice] = (counts[choice] ?? 0) + 1;
    if (poll.kind === "text" && answer.text !== null) textAnswers.push({ text: answer.text, authorName: poll.anonymous ? null : answer.author_name });
  }
  return { pollId: poll.id, answered: answers.length, counts, textAnswers };
}

export function toAnswerDto(row: PollAnswerRow): PollAnswerDto {
  return { pollId: row.poll_id, choices: row.choices, text: row.text, updatedAt: new Date(row.updated_at).toISOString() };
}

/**
 * Whether a person may see a poll's results now: managers always; the class while the poll is
 * open with live results, or once they are published (a closed, unpublished poll: managers only).
 */
export function resultsVisible(poll: PollRow, manager: boolean): boolean {
  if (manager) return true;
  if (poll.status === "draft") return false;
  if (poll.published) return true;
  return poll.status === "open" && poll.show_results_live;
}
