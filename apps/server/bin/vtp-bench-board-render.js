#!/usr/bin/env node
// `npm run bench:board-render`: drawing the class board into a recording (pdf.js + Skia canvas +
// FFmpeg), as a multiple of realtime for a 10-minute board-heavy class. Runs from the TypeScript
// sources through tsx.
import { register } from "tsx/esm/api";

register();
await import("../src/recording/board/bench.ts");
