import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Logger } from "pino";
import type { MaterialSourceType } from "@vtp/protocol";
import { AppError } from "../errors/index.js";

/** What the conversion of an office document gives: the PDF's bytes. */
export interface OfficeConverter {
  /** Whether conversion is possible at all (LibreOffice found). */
  readonly available: boolean;
  toPdf(bytes: Buffer, type: Exclude<MaterialSourceType, "pdf">): Promise<Buffer>;
  /** Kills a running conversion and refuses new ones (the server is stopping). */
  stop(): void;
}

export const NO_SOFFICE_MESSAGE =
  "Office documents are not converted on this server: install LibreOffice (soffice) on the server to convert office documents, or upload a PDF";

/** Output larger than this is not read back (the upload limit applies to the result again afterwards). */
const MAX_STDERR = 4096;

/**
 * LibreOffice (`soffice --headless --convert-to pdf`), one conversion at a time so that a burst
 * of uploads cannot start many LibreOffice processes. Each run gets a fresh temporary folder
 * holding the input under a generated name, the output folder and a throwaway user profile;
 * it is started with an argument array (no shell), killed with its process group after the
 * timeout, and the folder is removed whatever happens.
 */
export class SofficeConverter implements OfficeConverter {
  private queue: Promise<unknown> = Promise.resolve();
  private running: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly sofficePath: string | undefined,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  get available(): boolean {
    return Boolean(this.sofficePath);
  }

  toPdf(bytes: Buffer, type: Exclude<MaterialSourceType, "pdf">): Promise<Buffer> {
    const run = this.queue.then(() => this.convert(bytes, type));
    this.queue = run.catch(() => undefined);
    return run;
  }

  stop(): void {
    this.stopped = true;
    this.running?.();
  }

  private async convert(bytes: Buffer, type: Exclude<MaterialSourceType, "pdf">): Promise<Buffer> {
    if (this.stopped) throw new AppError("CONVERSION_FAILED", "The server is stopping; upload the document again in a moment");
    const soffice = this.sofficePath;
    if (!soffice) throw new AppError("UNSUPPORTED_MATERIAL_TYPE", NO_SOFFICE_MESSAGE);
    const dir = await mkdtemp(path.join(tmpdir(), "vtp-convert-"));
    try {
      const input = path.join(dir, `${randomUUID()}.${type}`);
      const outDir = path.join(dir, "out");
      await writeFile(input, bytes, { mode: 0o600 });
      const args = [
        `-env:UserInstallation=${pathToFileURL(path.join(dir, "profile")).href}`,
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--nofirststartwizard",
        "--nolockcheck",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        outDir,
        input,
      ];
      const result = await this.spawn(soffice, args, dir);
      const produced = (await readdir(outDir).catch(() => [] as string[])).find((name) => name.endsWith(".pdf"));
      if (!produced) {
        this.log.warn({ code: result.code, signal: result.signal, stderr: result.stderr }, "LibreOffice produced no PDF");
        throw new AppError("CONVERSION_FAILED", "LibreOffice could not convert this document to PDF");
      }
      return await readFile(path.join(outDir, produced));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private spawn(command: string, args: string[], home: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: home,
        // Its own process group: the timeout kills soffice.bin too, not only the wrapper script.
        detached: true,
        stdio: ["ignore", "ignore", "pipe"],
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, LANG: "C.UTF-8", SAL_USE_VCLPLUGIN: "svp" },
      });
      let stderr = "";
      let timedOut = false;
      child.stderr?.on("data", (chunk: Buffer) => {
        if (stderr.length < MAX_STDERR) stderr += chunk.toString("utf8").slice(0, MAX_STDERR - stderr.length);
      });
      const kill = () => {
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          child.kill("SIGKILL");
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, this.timeoutMs);
      this.running = kill;
      child.on("error", (err) => {
        clearTimeout(timer);
        this.running = undefined;
        this.log.warn({ err }, "LibreOffice did not start");
        reject(new AppError("CONVERSION_FAILED", "LibreOffice could not be started on the server"));
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        this.running = undefined;
        // Leftover helpers of the group (none normally) go with it.
        if (code !== 0) kill();
        if (timedOut) reject(new AppError("CONVERSION_FAILED", `Converting this document took longer than ${Math.round(this.timeoutMs / 1000)} s`));
        else resolve({ code, signal, stderr });
      });
    });
  }
}
