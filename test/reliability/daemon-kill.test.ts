/**
 * Case 2: the daemon is killed with SIGKILL again and again while requests flow. Every
 * entry must still end Complete, with exactly one certificate written to it, and no
 * temporary file may be left behind. Each kill also ends host-sim (the daemon's pty child),
 * which comes back with a new root.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fingerprintSha256 } from "../../src/x509/index.js";
import { CaClient } from "../support/ca-client.js";
import { eventually } from "../support/dbus.js";
import { makeCsr } from "../support/sim-pair.js";
import { startStack, waitForRoot } from "../support/local-stack.js";
import { recordFigures, scale } from "./scale.js";
import { expectAllCompleteOnce, leftoverTempFiles, sleep, stackPerTest } from "./stack-checks.js";

const held = stackPerTest();

describe("the daemon killed mid-run", () => {
  it(`completes ${scale.killRequests} requests once each across ${scale.kills} SIGKILLs of the daemon`, async () => {
    const stack = (held.stack = await startStack({
      hostSimArgs: ["--key", "p256", "--faults", "sign-delay=100"],
      daemonArgs: ["--response-timeout", "500"],
      logLevel: "warn",
    }));
    await waitForRoot(stack);
    const client = (held.client = await CaClient.connect(stack.busAddress));
    const csrOf = new Map<string, string>();
    const batch = Math.ceil(scale.killRequests / (scale.kills + 1));
    const started = Date.now();
    const restartMs: number[] = [];
    let pendingAtKill = 0;
    for (let k = 0; k <= scale.kills; k++) {
      const n = Math.min(batch, scale.killRequests - csrOf.size);
      const csrs = await Promise.all(Array.from({ length: n }, (_, i) => makeCsr(`kill-${k}-${i}`)));
      for (const csr of csrs) csrOf.set(await client.signCsr(csr), csr);
      if (k === scale.kills) break;
      // Kill while exchanges are in flight: some announced, some signing, some being written.
      await sleep(200 + ((k * 379) % 900));
      pendingAtKill += [...client.entries.values()].filter((e) => e.status.endsWith("Pending")).length;
      await stack.stopPart("daemon", "SIGKILL");
      const t0 = Date.now();
      await stack.startPart("daemon");
      restartMs.push(Date.now() - t0);
    }
    const drainMs = await client.waitAllFinal([...csrOf.keys()], 120_000);
    const { duplicates } = await expectAllCompleteOnce(client, csrOf);
    const spool = join(stack.opts.stateDir, "spool");
    expect(leftoverTempFiles(stack, spool)).toEqual([]);
    // A run killed before its host's root landed writes none; the file must hold the live host's.
    const { rootFingerprint } = await stack.hostControl({ status: true });
    await eventually(
      async () => ((await fingerprintSha256(readFileSync(stack.rootCertPath, "utf8"))) === rootFingerprint ? true : undefined),
      20_000,
      "the live root",
    );
    const roots = readFileSync(join(spool, "root-history.jsonl"), "utf8").trim().split("\n").length;
    recordFigures("daemon-kill", {
      requests: csrOf.size,
      kills: scale.kills,
      pendingAtKills: pendingAtKill,
      seconds: (Date.now() - started) / 1000,
      drainAfterLastKillMs: drainMs,
      daemonRestartMs: { max: Math.max(...restartMs), mean: Math.round(restartMs.reduce((a, b) => a + b, 0) / restartMs.length) },
      certWritesPerEntry: 1,
      duplicates,
      rootsWritten: roots,
      runs: scale.kills + 1,
      leftoverTempFiles: 0,
    });
  }, 600_000);
});
