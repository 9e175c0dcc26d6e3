#!/usr/bin/env node
// `npm run bench:breakout`: 100 students split into 20 groups and brought back, with their media.
// Runs from the TypeScript sources through tsx. Flags: see src/breakout/bench.ts.
import { register } from "tsx/esm/api";

register();
await import("../src/breakout/bench.ts");
