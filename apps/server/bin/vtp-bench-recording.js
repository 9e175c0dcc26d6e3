#!/usr/bin/env node
// `npm run bench:recording`: processing speed (× realtime) of a 60 s two-track class and the
// CPU cost of capture per recorded track. Runs from the TypeScript sources through tsx.
import { register } from "tsx/esm/api";

register();
await import("../src/recording/bench.ts");
