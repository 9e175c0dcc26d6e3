/**
 * Starts a standalone media node the way `vtp media` does (runMediaNode with the environment),
 * prints its URL, and shuts down cleanly on SIGTERM/SIGINT. Used by the remote-mode tests.
 */
import { runMediaNode } from "../../../../apps/server/src/media/index.js";

const node = await runMediaNode();
process.stdout.write(`MEDIA_NODE_URL=${node.url}\n`);
const stop = async () => {
  await node.close();
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
