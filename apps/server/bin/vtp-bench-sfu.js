#!/usr/bin/env node
// `npm run bench:sfu`: the SFU forwarding benchmark (see docs/BENCHMARKS.md). Runs from the
// TypeScript sources through tsx's loader, like bin/vtp.js.
import { register } from "tsx/esm/api";

register();
const { runSfuBench } = await import("../src/media/bench/sfuBench.ts");
await runSfuBench();
process.exit(0);
