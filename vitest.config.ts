import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts", "apps/*/src/**/*.test.{ts,tsx}", "packages/*/src/**/*.test.ts"],
    // Generous: process, browser and FFmpeg tests on a loaded 2-core machine. No test asserts timings.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default"],
  },
});
