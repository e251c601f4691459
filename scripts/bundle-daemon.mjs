// Bundles the daemon's entry and all of its own code into one CommonJS file; npm packages stay
// outside (node_modules), and so do the native addons. Runs after tsc, on its output.
import { build } from "rolldown";

await build({
  input: "dist/src/cli/daemon-main.js",
  platform: "node",
  external: (id) => !id.startsWith(".") && !id.startsWith("/"),
  logLevel: "warn",
  output: {
    file: "dist/hostbridge-daemon.cjs",
    format: "cjs",
    codeSplitting: false,
    // Whitespace and local names go; class and function names stay (errors and logs name them).
    minify: true,
    keepNames: true,
    sourcemap: true,
  },
});
