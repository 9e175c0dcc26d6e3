import { defineConfig } from "vitest/config";

/**
 * Two groups. "suite": unit, integration and process tests, two files at a time. "browser and
 * media": every test that drives Chromium or composes video with FFmpeg, one file at a time after
 * the first group: each starts several browsers or encoders, and two of them at once on a 2-core
 * machine starve each other (and the SFU) of CPU. No test asserts timings.
 */
const heavy = [
  "tests/e2e/**/*.test.ts",
  "tests/integration/recording/**/*.test.ts",
  "tests/integration/live/**/*.test.ts",
  // A join storm: 151 werift clients, a media node and a spinning process (issue 13).
  "tests/integration/media/join-storm.test.ts",
];

export default defineConfig({
  test: {
    // Generous: process, browser and FFmpeg tests on a loaded 2-core machine.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: "forks",
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: {
          name: "suite",
          include: ["tests/**/*.test.ts", "apps/*/src/**/*.test.{ts,tsx}", "packages/*/src/**/*.test.ts"],
          exclude: ["**/node_modules/**", ...heavy],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "browser and media",
          include: heavy,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
