import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../apps/server/src/main.js";
import { testConfig } from "../../helpers/app.js";
import { waitFor } from "../../helpers/wait.js";

/**
 * `vtp start` starts the media layer at boot, before anyone's first media set-up: that set-up used
 * to start the workers itself and wait for them (18 s on a loaded machine, longer than the browser
 * then waited for an answer). A server built without listening (tests' buildApp) still starts media
 * only on first use (admin-status.test.ts).
 */
describe("media at boot", () => {
  let server: RunningServer | undefined;
  const config = testConfig({ PORT: "0", HOST: "127.0.0.1", MEDIA_WORKERS: "2" });
  afterAll(async () => {
    await server?.stop();
    rmSync(config.dataDir, { recursive: true, force: true });
  });

  it("the media workers are up without any media request, and close with the server", async () => {
    server = await startServer(config);
    const media = server.app.ctx.media;
    expect(media).toBeDefined();
    const status = await waitFor(
      "the media layer to start",
      async () => {
        const now = await media!.status();
        return now.started ? now : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    expect(status).toMatchObject({ started: true, ok: true, workers: 2, rooms: 0, peers: 0 });
  });
});
