// Boot file of a media worker thread: load tsx's loader in this thread, then the TypeScript entry.
// (`execArgv: ["--import", "tsx"]` is not applied to worker threads on Node 20.)
import { register } from "tsx/esm/api";

register();
await import("./thread.ts");
