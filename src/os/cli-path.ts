/** Where the built `hostbridge` entry point is, whether we run from dist/ or from sources (tests). */
import { dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url)); // <root>/src/os or <root>/dist/src/os
const root = resolve(here, "..", "..");
const dist = root.endsWith(`${sep}dist`) ? root : resolve(root, "dist");
export const CLI_PATH = resolve(dist, "src", "cli", "main.js");
/** The daemon bundled into one file (`hostbridge daemon` in less memory; scripts/bundle-daemon.mjs). */
export const DAEMON_PATH = resolve(dist, "hostbridge-daemon.cjs");

/** node's flags for a long-running part: a small young generation keeps its RSS flat under steady load (docs/decisions.md). */
export const SERVICE_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=1"];

/**
 * The daemon's flags (contrib/systemd spells the same): also V8's lite mode, made for low-memory
 * devices (no optimising compiler, feedback allocated lazily). It takes ~13 MB off the daemon's RSS
 * and leaves its codec ~700 times faster than a 115200-baud line (docs/decisions.md). Lite mode
 * turns WebAssembly off and says so on stderr unless asked to.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = [...SERVICE_NODE_FLAGS, "--no-expose-wasm", "--lite-mode"];
