/** The SFU process of the benchmark: a media node (runMediaNode) printing its URL. */
import { runMediaNode } from "../index.js";
import { serveHeapSnapshots } from "./heapSnap.js";

if (process.env.BENCH_HEAP_DIR) serveHeapSnapshots(process.env.BENCH_HEAP_DIR);

const node = await runMediaNode({ host: "127.0.0.1", port: 0 });
process.stdout.write(`MEDIA_NODE_URL=${node.url}\n`);
const stop = async () => {
  await node.close();
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
