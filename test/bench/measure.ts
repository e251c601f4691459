/** Small timing helpers: run a body for about `ms`, best of `rounds`, report per-second rates. */
import { performance } from "node:perf_hooks";

export interface Metric {
  metric: string;
  value: number;
  unit: string;
}

/**
 * Calls `body` (which does `opsPerCall` operations) repeatedly; returns the best ops/s over the rounds.
 * Calls are timed in batches so the clock read does not weigh on a cheap body; the batch grows from
 * one call while a batch takes under a millisecond, so a slow body still ends its round on time.
 */
export function rate(body: () => unknown, opsPerCall = 1, ms = 700, rounds = 3): number {
  let sink = 0;
  // Warm up the JIT: 1000 calls, or as many as fit in one round for a slow body.
  const warmUntil = performance.now() + ms;
  for (let i = 0; i < 1000 && performance.now() < warmUntil; i++) sink ^= body() ? 1 : 0;
  let best = 0;
  let batch = 1;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      for (let i = 0; i < batch; i++) sink ^= body() ? 1 : 0;
      calls += batch;
      const before = now;
      now = performance.now();
      if (batch < 100 && now - before < 1) batch *= 2;
    }
    best = Math.max(best, (calls * opsPerCall) / ((now - start) / 1000));
  }
  if (sink === 42) console.error(""); // keep `sink` observable so the body is not optimised away
  return best;
}

export const round = (x: number, digits = 3) => Number(x.toPrecision(digits));
