import { accessSync, constants } from "node:fs";
import path from "node:path";
import type { SettingsReader } from "../config/settings.js";

export interface MaterialsSettings {
  /** MATERIALS_MAX_BYTES: the largest upload (default 50 MB). */
  maxBytes: number;
  /** MATERIALS_MAX_PAGES: the most pages a material may have (default 300). */
  maxPages: number;
  /** MATERIALS_CONVERT_TIMEOUT_S: LibreOffice is killed after this long (default 60). */
  convertTimeoutSeconds: number;
  /**
   * SOFFICE_PATH: LibreOffice's `soffice`, which converts office documents (pptx, odp, docx) to PDF.
   * Default: `soffice` found on PATH; `SOFFICE_PATH=off` (or none found): office uploads answer 415.
   */
  sofficePath?: string;
}

export const DEFAULT_MATERIALS_MAX_BYTES = 50 * 1024 * 1024;

/** Reads the materials settings; problems go to the reader (reported at start). */
export function readMaterialsSettings(read: SettingsReader): MaterialsSettings {
  const configured = read.text("SOFFICE_PATH");
  let sofficePath: string | undefined;
  if (configured === "off") sofficePath = undefined;
  else if (configured) {
    sofficePath = findExecutable(configured, read.text("PATH") ?? process.env.PATH);
    if (!sofficePath) read.problem(`SOFFICE_PATH must name an executable LibreOffice soffice, or "off" (got "${configured}")`);
  } else sofficePath = findExecutable("soffice", read.text("PATH") ?? process.env.PATH);
  return {
    maxBytes: read.int("MATERIALS_MAX_BYTES", DEFAULT_MATERIALS_MAX_BYTES, 1024, 2 * 1024 * 1024 * 1024),
    maxPages: read.int("MATERIALS_MAX_PAGES", 300, 1, 10_000),
    convertTimeoutSeconds: read.int("MATERIALS_CONVERT_TIMEOUT_S", 60, 1, 3600),
    sofficePath,
  };
}

/** An absolute path to an executable: `name` itself when it has a slash, else the first match on PATH. */
function findExecutable(name: string, searchPath: string | undefined): string | undefined {
  const candidates = name.includes("/")
    ? [path.resolve(name)]
    : (searchPath ?? "")
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}
