#!/usr/bin/env node
// `npm run bench:joins`: joins per second one media worker takes under load (docs/BENCHMARKS.md).
// Runs from the TypeScript sources through tsx's loader, like bin/vtp.js.
import { register } from "tsx/esm/api";

register();
const { runJoinBench } = await import("../src/media/bench/joinBench.ts");
await runJoinBench();
process.exit(0);
