#!/usr/bin/env node
// `npm run bench:poll`: 500 students answering a poll within 2 seconds, on one and two app
// servers. Runs from the TypeScript sources through tsx. Flags: see src/polls/bench.ts.
import { register } from "tsx/esm/api";

register();
await import("../src/polls/bench.ts");
