import { defineConfig } from "vitest/config";

// Browser tests: a real Chromium (Debian's) driven by playwright-core against a running stack.
export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.e2e.ts"],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});
