#!/usr/bin/env node
// The `vtp` command. The server runs from its TypeScript sources through tsx's loader,
// so there is no separate build step for the server.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../src/cli.ts");
await runCli(process.argv.slice(2));
