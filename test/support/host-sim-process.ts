/** Starts the real `hostbridge host-sim` on a real pty, as the daemon does. */
import { afterEach } from "vitest";
import { spawnPtyChild, type PtyChildLink } from "../../src/link/pty-child-link.js";
import type { SerialLink } from "../../src/link/serial-link.js";
import { CLI_PATH } from "../../src/os/cli-path.js";
import { bmcSide, type BmcSide, type BmcSideOptions } from "./bmc-side.js";

/** The built CLI; `npm test` builds first. */
export const cliPath = CLI_PATH;

export function spawnHostSim(args: string[] = []): PtyChildLink {
  return spawnPtyChild({
    file: process.execPath,
    args: [cliPath, "host-sim", ...args],
    env: { ...process.env, HOSTBRIDGE_LOG: process.env.HOSTBRIDGE_LOG ?? "warn" },
  });
}

/**
 * host-sim on a pty with the BMC half on the other side, closed after each test.
 * `wrap` puts something (fault injection, pacing) between the pty and the BMC side.
 */
export function hostSimHarness() {
  let child: PtyChildLink | null = null;
  let bmc: BmcSide | null = null;
  afterEach(async () => {
    bmc?.close();
    await child?.close();
    child = null;
    bmc = null;
  });
  return {
    start(args: string[] = [], opts: BmcSideOptions = {}, wrap: (link: SerialLink) => SerialLink = (l) => l): BmcSide {
      child = spawnHostSim(args);
      bmc = bmcSide(wrap(child), opts);
      return bmc;
    },
  };
}
