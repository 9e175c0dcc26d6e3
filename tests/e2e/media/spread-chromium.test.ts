import { describe, expect, it } from "vitest";
import { expectDecoding, mediaE2E } from "./stats";
import { chromiumMissing, joinClassUi, startClassUi, verifiedUser } from "../web/harness";
import { waitFor } from "../../helpers/wait.js";

/**
 * One class over two media workers in real Chromium (MEDIA_WORKERS=2, MEDIA_SPREAD_THRESHOLD=1:
 * the teacher is the home worker's one peer, so the first student is placed on the other worker).
 * The teacher's camera and microphone reach that student over a pipe between the workers, and
 * the student's browser decodes frames of a real size and receives audio.
 */
const skip = chromiumMissing();
if (skip) console.warn(`SKIPPED Chromium spread test: ${skip}`);

describe.skipIf(Boolean(skip))("a class spread over two media workers, in Chromium", () => {
  const e2e = mediaE2E(() => ({ MEDIA_WORKERS: "2", MEDIA_SPREAD_THRESHOLD: "1" }));

  it("a student on the second worker decodes the teacher's camera and hears the microphone", async ({ onTestFailed }) => {
    e2e.printOnFailure(onTestFailed);
    const { server, browser } = e2e;
    const [teacher, student] = await Promise.all([verifiedUser(server, "teacher", "Pia Pipe"), verifiedUser(server, "student", "Sam Spread")]);
    const teacherClass = await startClassUi(browser, server, teacher, { title: "Spread class", init: (ctx) => e2e.watch(ctx, "teacher") });
    // The student comes once the teacher publishes (two joins at the same moment may both stay home).
    await waitFor("the teacher publishing", () => e2e.pageLog.some((line) => line.startsWith("[teacher debug]") && line.includes("send pc connected")));
    const studentClass = await joinClassUi(browser, server, student, teacherClass.code, undefined, (ctx) => e2e.watch(ctx, "student"));
    await studentClass.page.getByTestId("classroom").waitFor();
    await expectDecoding(studentClass.page, 1, "student on the second worker: camera");
    // The server set up pipes from the teacher's worker to the student's (its debug log says so).
    await waitFor("a producer piped between the workers", () => /producer piped/.test(server.output()));
    expect(server.output()).toMatch(/"from":"w\d","to":"w\d".*producer piped/);
  });
});
