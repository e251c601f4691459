/** Starts the real `hostbridge host-sim` on a real pty, as the daemon does. */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnPtyChild, type PtyChildLink } from "../../src/link/pty-child-link.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The built CLI; `npm test` builds first. */
export const cliPath = resolve(repoRoot.endsWith("dist") ? repoRoot : resolve(repoRoot, "dist"), "src", "cli", "main.js");

export function spawnHostSim(args: string[] = []): PtyChildLink {
  return spawnPtyChild({ file: process.execPath, args: [cliPath, "host-sim", ...args], env: { ...process.env, HOSTBRIDGE_LOG: process.env.HOSTBRIDGE_LOG ?? "warn" } });
}
