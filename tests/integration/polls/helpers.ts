import type { TestApp } from "../../helpers/app.js";
import type { Services } from "../../../apps/server/src/compose.js";
import type { PollService } from "../../../apps/server/src/polls/index.js";

/** The running app's poll service (what the recording's replay calls). */
export function pollService(testApp: TestApp): PollService {
  return (testApp.app.ctx as Services).polls;
}
