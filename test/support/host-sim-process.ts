/** Starts the real `hostbridge host-sim` on a real pty, as the daemon does. */
import { spawnPtyChild, type PtyChildLink } from "../../src/link/pty-child-link.js";

import { CLI_PATH } from "../../src/os/cli-path.js";

/** The built CLI; `npm test` builds first. */
export const cliPath = CLI_PATH;

export function spawnHostSim(args: string[] = []): PtyChildLink {
  return spawnPtyChild({ file: process.execPath, args: [cliPath, "host-sim", ...args], env: { ...process.env, HOSTBRIDGE_LOG: process.env.HOSTBRIDGE_LOG ?? "warn" } });
}
