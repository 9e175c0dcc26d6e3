#!/usr/bin/env node
// `npm run bench:chat`: chat fan-out in one class of 200–1,000 students, on one and two app
// servers. Runs from the TypeScript sources through tsx. Flags: see src/signalling/bench/chat.ts.
import { register } from "tsx/esm/api";

register();
await import("../src/signalling/bench/chat.ts");
