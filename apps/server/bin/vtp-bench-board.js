#!/usr/bin/env node
// `npm run bench:board`: one teacher's strokes fanned out to a class of 200, on one and two app
// servers. Runs from the TypeScript sources through tsx. Flags: see src/board/bench.ts.
import { register } from "tsx/esm/api";

register();
await import("../src/board/bench.ts");
