import { Writable } from "node:stream";
import pino from "pino";
import { createTestApp, type TestApp } from "../../helpers/app.js";

/** One line the server logged, as JSON. */
export interface LogLine {
  level: number;
  msg?: string;
  err?: { message?: string; stack?: string };
  [k: string]: unknown;
}

/**
 * A test app listening on a real port whose log lines (warn and above) are kept, so a test can
 * assert that the server logged no error.
 */
export async function loggedApp(env: Record<string, string> = {}): Promise<{ t: TestApp; url: string; logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const testApp = await createTestApp({ ...env, LOG_LEVEL: "warn" }, { logger: pino({ level: "warn" }, sink) });
  await testApp.app.listen({ port: 0, host: "127.0.0.1" });
  const addr = testApp.app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return { t: testApp, url: `http://127.0.0.1:${port}`, logs };
}

/** Log lines at error level or above. */
export const errorsIn = (logs: LogLine[]) => logs.filter((l) => l.level >= 50);

/** Waits until `cond` holds (checked every 20 ms), failing after `timeoutMs`. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
