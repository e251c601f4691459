/**
 * Case: README's faults example. On a line that damages 1 % of bytes (and drops 1 %) a
 * 1.2 KB root or certificate sent in one request almost never arrives; the host shrinks its
 * chunk after unanswered tries (src/files/adaptive-chunk.ts). First in-process with the
 * host's default whole-file chunks, then `hostbridge up --faults corrupt=0.01,drop=0.01`
 * as printed in README: a root and a completed SignCSR within a minute of being ready.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "../support/dbus.js";
import { opensslCsr, opensslVerify, publicKeyOf, scratchDir } from "../support/openssl.js";
import { makeCsr, startSimPair, type SimPair } from "../support/sim-pair.js";
import { curlSignCsr, startUp } from "../support/up-process.js";
import { recordFigures, SCALE, within } from "./scale.js";

let pair: SimPair | null = null;
afterEach(async () => {
  await pair?.close();
  pair = null;
});

describe("the faults example", () => {
  it("completes exchanges with whole-file chunks configured, shrinking them on a 1 % noisy line", async () => {
    const started = Date.now();
    // The root push inside startSimPair is the first transfer that has to shrink to arrive.
    pair = await within(
      120_000,
      startSimPair({
        noise: { corrupt: 0.01, drop: 0.01 },
        host: { readChunk: 0, writeChunk: 0, chunkRetries: 100, requester: { concurrency: 4, responseTimeoutMs: 10, retries: 1 } },
        requester: { responseTimeoutMs: 10, retries: 2 },
        bridge: { initialBackoffMs: 50, maxBackoffMs: 500, probeIntervalMs: 50, certWaitMs: 20_000 },
      }),
      "the first root",
    );
    const count = SCALE === "full" ? 20 : 5;
    for (let id = 1; id <= count; id++) {
      const out = await within(120_000, pair.bmc.sign(id, await makeCsr(`adaptive-${id}`)), `entry ${id}`);
      expect(out.status).toBe("Complete");
    }
    recordFigures("faults-example-in-process", { requests: count, seconds: (Date.now() - started) / 1000, hostRetries: pair.sim.stats().retries });
  }, 600_000);

  it("`hostbridge up --faults corrupt=0.01,drop=0.01` gets a root and completes SignCSR within a minute", async () => {
    const dir = scratchDir();
    const stateDir = join(dir, "state");
    // The README's line, with free ports and a scratch state directory.
    const up = await startUp(stateDir, ["--faults", "corrupt=0.01,drop=0.01"]);
    try {
      const ready = Date.now();
      const { info } = up;
      const root = await eventually(
        () => {
          try {
            return readFileSync(info.rootCertPath, "utf8");
          } catch {
            return undefined;
          }
        },
        60_000,
        "RootCert on the noisy line",
      );
      const rootMs = Date.now() - ready;
      const { csrPem } = opensslCsr(dir, "hmc-noisy", "ec");
      const left = Math.max(1, Math.ceil((60_000 - (Date.now() - ready)) / 1000));
      const answer = curlSignCsr(info, dir, csrPem, left);
      const cert = (JSON.parse(answer) as { Certificate?: string }).Certificate ?? "";
      expect(cert, answer).toMatch(/BEGIN CERTIFICATE/);
      expect(publicKeyOf("x509", cert)).toBe(publicKeyOf("req", csrPem));
      expect(opensslVerify(dir, readFileSync(info.rootCertPath, "utf8") || root, cert)).toMatch(/: OK$/);
      const totalMs = Date.now() - ready;
      recordFigures("faults-example-up", { rootMs, signCsrDoneMs: totalMs });
      expect(totalMs).toBeLessThan(60_000);
    } finally {
      up.child.kill("SIGTERM");
      await up.exited;
    }
  }, 240_000);
});
