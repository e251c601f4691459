import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/reliability/**", "node_modules/**", "dist/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real dbus-daemons and ptys; two workers match the 2-core machines.
    maxWorkers: 2,
    // A missing system tool fails the run at once, naming its Debian package.
    globalSetup: ["test/support/tools.ts"],
  },
});
