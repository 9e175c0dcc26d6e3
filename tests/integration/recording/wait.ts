import { sql } from "kysely";
import type { Services } from "../../../apps/server/src/compose.js";
import type { TestApp } from "../../helpers/app.js";
import { waitFor } from "../../helpers/wait.js";

/**
 * Polls a recording until processing ends (`ready` or `failed`) and returns it; throws with the
 * last state if it never ends (so a stuck job fails the test with a reason, not a bare timeout).
 */
// biome-ignore lint/suspicious/noExplicitAny: the tests assert on the recording's JSON field by field, nullable ones included.
export async function waitProcessed(testApp: TestApp, id: string, headers: Record<string, string>, attempts = 500): Promise<any> {
  return waitFor(
    `recording ${id} to be processed`,
    async () => {
      // A loaded server may answer a poll with an error (a busy database pool): poll again.
      const rec = (await testApp.app.inject({ method: "GET", url: `/api/v1/recordings/${id}`, headers })).json().recording;
      return !!rec && (rec.status === "ready" || rec.status === "failed") && rec;
    },
    { timeoutMs: attempts * 300, intervalMs: 300 },
  );
}

/** Whether a processed recording's files were joined from what was composed during the class (recording/progressive/). */
export async function composedDuringClass(testApp: TestApp, id: string): Promise<boolean | undefined> {
  const { rows } = await sql<{ outputs: { composedDuringClass?: boolean } }>`select outputs from recordings where id = ${id}`.execute(
    (testApp.app.ctx as Services).db,
  );
  return rows[0]?.outputs.composedDuringClass;
}
