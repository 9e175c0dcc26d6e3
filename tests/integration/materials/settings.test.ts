import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../apps/server/src/config/index.js";

/** The materials' settings are checked at start with the other settings, naming each variable. */
const base = { VTP_DATA_DIR: "/tmp/vtp-materials-settings-test", JWT_SECRET: "x".repeat(32) };

describe("materials settings", () => {
  it("defaults: 50 MB, 300 pages, 60 s, soffice found on PATH (or off)", () => {
    const config = loadConfig(base, { persistSecret: false });
    expect(config.materials).toMatchObject({ maxBytes: 50 * 1024 * 1024, maxPages: 300, convertTimeoutSeconds: 60 });
    expect(loadConfig({ ...base, SOFFICE_PATH: "off" }, { persistSecret: false }).materials.sofficePath).toBeUndefined();
    expect(loadConfig({ ...base, PATH: "/nonexistent" }, { persistSecret: false }).materials.sofficePath).toBeUndefined();
  });

  it("reports every bad value at once", () => {
    let problems: string[] = [];
    try {
      loadConfig(
        { ...base, MATERIALS_MAX_BYTES: "lots", MATERIALS_MAX_PAGES: "0", MATERIALS_CONVERT_TIMEOUT_S: "-5", SOFFICE_PATH: "/nonexistent/soffice" },
        { persistSecret: false },
      );
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    for (const name of ["MATERIALS_MAX_BYTES", "MATERIALS_MAX_PAGES", "MATERIALS_CONVERT_TIMEOUT_S", "SOFFICE_PATH"])
      expect(
        problems.some((problem) => problem.startsWith(name)),
        `${name} in ${JSON.stringify(problems)}`,
      ).toBe(true);
  });
});
