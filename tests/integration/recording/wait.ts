import type { TestApp } from "../../helpers/app.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls a recording until processing ends (`ready` or `failed`) and returns it; throws with the
 * last state if it never ends (so a stuck job fails the test with a reason, not a bare timeout).
 */
export async function waitProcessed(t: TestApp, id: string, headers: Record<string, string>, attempts = 500): Promise<any> {
  let rec: any;
  for (let i = 0; i < attempts; i++) {
    rec = (await t.app.inject({ method: "GET", url: `/api/v1/recordings/${id}`, headers })).json().recording;
    if (rec.status === "ready" || rec.status === "failed") return rec;
    await sleep(300);
  }
  throw new Error(`recording ${id} was not processed: ${JSON.stringify(rec)}`);
}
