/**
 * The two ways the tests reach media: in-process (worker threads) and a standalone media node
 * started as a real child process, used through the HTTP client (MEDIA_NODES mode).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createMediaService, type MediaService } from "../../../../apps/server/src/media/index.js";

export const TEST_SECRET = "test-media-secret-0123456789";

export interface MediaUnderTest {
  media: MediaService;
  /** Base URL of the node (remote mode only). */
  url?: string;
  stop(): Promise<void>;
}

export async function startInProcess(minPort: number, extraEnv: Record<string, string> = {}): Promise<MediaUnderTest> {
  const media = await createMediaService({
    env: {
      MEDIA_WORKERS: "2",
      RTC_MIN_PORT: String(minPort),
      RTC_MAX_PORT: String(minPort + 999),
      MEDIA_INACTIVITY_TIMEOUT_MS: "3000",
      ...extraEnv,
    },
  });
  return { media, stop: () => media.close() };
}

const NODE_MAIN = fileURLToPath(new URL("./media-node-main.ts", import.meta.url));

/** Start `runMediaNode` in a child process; resolves with its URL once it listens. */
export async function startNodeProcess(
  minPort: number,
  extraEnv: Record<string, string> = {},
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", NODE_MAIN], {
    env: {
      ...process.env,
      MEDIA_SECRET: TEST_SECRET,
      MEDIA_HOST: "127.0.0.1",
      MEDIA_PORT: "0",
      MEDIA_WORKERS: "1",
      RTC_MIN_PORT: String(minPort),
      RTC_MAX_PORT: String(minPort + 999),
      MEDIA_INACTIVITY_TIMEOUT_MS: "3000",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    // A cold start compiles the node (tsx): with both cores busy it once took over 30 s.
    const timer = setTimeout(() => reject(new Error(`media node did not start:\n${output}`)), 90_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /MEDIA_NODE_URL=(\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`media node exited (${code}):\n${output}`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
  };
  return { url, child, stop };
}

export async function startRemote(minPort: number, extraEnv: Record<string, string> = {}): Promise<MediaUnderTest> {
  const node = await startNodeProcess(minPort, extraEnv);
  const media = await createMediaService({ nodes: [node.url], secret: TEST_SECRET });
  return {
    media,
    url: node.url,
    async stop() {
      await media.close();
      await node.stop();
    },
  };
}
