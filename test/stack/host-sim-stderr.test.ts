/**
 * host-sim's logs never reach the serial link: spawned on a pty (as the daemon spawns it),
 * its stderr goes to the parent's stderr or a file, and the BMC's deframer sees only frames.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EntryState } from "../../src/dbus/names.js";
import { spawnPtyChild, type PtyChildLink } from "../../src/link/pty-child-link.js";
import { CLI_PATH } from "../../src/os/cli-path.js";
import type { LocalStack } from "../../src/stack/local-stack.js";
import { bmcSide, type BmcSide } from "../support/bmc-side.js";
import { opensslCsr, scratchDir } from "../support/openssl.js";
import { hostBridgeProperty, signCsr, startStack, waitForStatus } from "../support/local-stack.js";

let child: PtyChildLink | null = null;
let bmc: BmcSide | null = null;
let stack: LocalStack | null = null;
afterEach(async () => {
  bmc?.close();
  await child?.close();
  await stack?.stop();
  child = bmc = stack = null;
});

const hostSimLines = (text: string) => text.split("\n").filter((l) => l.includes('"name":"host-sim"'));

describe("host-sim's stderr", () => {
  it("at debug level goes to the file given, and not one byte of it onto the line", async () => {
    const dir = scratchDir();
    const stderrPath = join(dir, "host-sim.stderr");
    child = spawnPtyChild({
      file: process.execPath,
      args: [CLI_PATH, "host-sim", "--key", "p256"],
      env: { ...process.env, HOSTBRIDGE_LOG: "debug" },
      stderr: stderrPath,
    });
    bmc = bmcSide(child);
    await bmc.nextRoot();
    const out = await bmc.sign(1, opensslCsr(dir, "stderr-check", "ec").csrPem);
    expect(out.status).toBe("Complete");
    // It did log (the root push, the signing), and the BMC's deframer skipped nothing.
    expect(hostSimLines(readFileSync(stderrPath, "utf8")).length).toBeGreaterThan(0);
    const serial = bmc.terminus.endpoint.stats().serial;
    expect({ bytesSkipped: serial.bytesSkipped, badFrames: serial.badFrames, fcsErrors: serial.fcsErrors, badCounts: serial.badCounts }).toEqual({
      bytesSkipped: 0,
      badFrames: 0,
      fcsErrors: 0,
      badCounts: 0,
    });
    expect(serial.bytesIn).toBe(serial.bytesInFrames);
  });

  it("spawned by the daemon at debug level, lands in the daemon's log; the daemon counts no bad frames", async () => {
    stack = await startStack({ logLevel: "debug", hostSimArgs: ["--key", "p256"] });
    const path = await signCsr(stack, opensslCsr(scratchDir(), "stderr-daemon", "ec").csrPem);
    expect((await waitForStatus(stack, path)).status).toBe(EntryState.Complete);
    expect(hostSimLines(readFileSync(join(stack.opts.stateDir, "logs", "daemon.log"), "utf8")).length).toBeGreaterThan(0);
    expect(await hostBridgeProperty(stack, "BadFrames")).toBe("0");
  });
});
