import { defineConfig } from "vitest/config";

// Long soak-style runs on noisy links: not part of `npm test`.
export default defineConfig({
  test: {
    include: ["test/reliability/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
    // A missing system tool fails the run at once, naming its Debian package.
    globalSetup: ["test/support/tools.ts"],
  },
});
