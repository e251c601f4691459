import { describe, expect, it } from "vitest";
import { createMemoryLinkPair } from "../../src/link/memory-link.js";
import { injectFaults, type FaultOptions, type FaultStats } from "../../src/link/fault-injecting-link.js";
import { byteRounds, collect } from "../support/link-bytes.js";

const N = 100_000;

/** Writes N bytes through a fault injector in 1000-byte chunks and returns what arrived. */
interface Outcome {
  sent: Uint8Array;
  got: Uint8Array;
  stats: FaultStats;
}

async function sendThroughFaults(options: FaultOptions): Promise<Outcome> {
  const [a, b] = createMemoryLinkPair();
  const noisy = injectFaults(a, options);
  const sent = byteRounds(Math.ceil(N / 256)).subarray(0, N);
  for (let at = 0; at < N; at += 1000) noisy.write(sent.subarray(at, at + 1000));
  // Delivery is asynchronous, so listening after the writes misses nothing; exactly this many must come.
  const got = await collect(b, N - noisy.stats.bytesDropped);
  await noisy.close();
  return { sent, got, stats: { ...noisy.stats } };
}

describe("FaultInjectingLink", () => {
  it("with zero rates passes everything through unchanged", async () => {
    const { sent, got, stats } = await sendThroughFaults({ corruptRate: 0, dropRate: 0, seed: 1 });
    expect(got).toEqual(sent);
    expect(stats).toEqual({ bytesWritten: N, bytesCorrupted: 0, bytesDropped: 0 });
  });

  it("corrupts at the given rate, and every corrupted byte really changed", async () => {
    const { sent, got, stats } = await sendThroughFaults({ corruptRate: 0.02, seed: 42 });
    expect(got).toHaveLength(N);
    let differing = 0;
    for (let i = 0; i < N; i++) if (got[i] !== sent[i]) differing++;
    expect(differing).toBe(stats.bytesCorrupted); // a XOR with 0 would make these disagree
    expect(stats.bytesCorrupted).toBeGreaterThan(N * 0.02 * 0.85); // ~2000 expected, sd ~44
    expect(stats.bytesCorrupted).toBeLessThan(N * 0.02 * 1.15);
  });

  it("drops and corrupts at the given rates together; counts match what arrived", async () => {
    const { got, stats } = await sendThroughFaults({ dropRate: 0.01, corruptRate: 0.005, seed: 7 });
    expect(got).toHaveLength(N - stats.bytesDropped);
    expect(stats.bytesDropped).toBeGreaterThan(N * 0.01 * 0.85);
    expect(stats.bytesDropped).toBeLessThan(N * 0.01 * 1.15);
    expect(stats.bytesCorrupted).toBeGreaterThan(N * 0.005 * 0.8);
    expect(stats.bytesCorrupted).toBeLessThan(N * 0.005 * 1.2);
  });

  it("is reproducible: the same seed gives the same damage, another seed different damage", async () => {
    const options = { dropRate: 0.01, corruptRate: 0.01 };
    const first = await sendThroughFaults({ ...options, seed: 99 });
    const again = await sendThroughFaults({ ...options, seed: 99 });
    const other = await sendThroughFaults({ ...options, seed: 100 });
    expect(again.got).toEqual(first.got);
    expect(again.stats).toEqual(first.stats);
    expect(other.got).not.toEqual(first.got);
  });

  it("rejects rates outside [0, 1] or summing over 1", () => {
    const [a] = createMemoryLinkPair();
    expect(() => injectFaults(a, { dropRate: -0.1 })).toThrow(RangeError);
    expect(() => injectFaults(a, { corruptRate: 1.5 })).toThrow(RangeError);
    expect(() => injectFaults(a, { corruptRate: 0.6, dropRate: 0.6 })).toThrow(RangeError);
  });
});
