import { defineConfig } from "vitest/config";

/** `npm run test:unit`: the pure and in-memory tests (codec, engine, file I/O, bridge rules); no build, no processes. */
export default defineConfig({
  test: {
    include: [
      "test/codec/**/*.test.ts",
      "test/engine/**/*.test.ts",
      "test/files/**/*.test.ts",
      "test/os/**/*.test.ts",
      "test/link/memory-link.test.ts",
      "test/daemon/bridge-rules.test.ts",
      "test/package/codec-surface.test.ts",
    ],
    testTimeout: 30_000,
    maxWorkers: 2,
  },
});
