/** Small timing helpers: run a body for about `ms`, best of `rounds`, report per-second rates. */
import { performance } from "node:perf_hooks";

export interface Metric {
  metric: string;
  value: number;
  unit: string;
}

/** Calls `body` (which does `opsPerCall` operations) repeatedly; returns the best ops/s over the rounds. */
export function rate(body: () => unknown, opsPerCall = 1, ms = 700, rounds = 3): number {
  let sink = 0;
  for (let i = 0; i < 1000; i++) sink ^= body() ? 1 : 0; // warm up the JIT
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      for (let i = 0; i < 100; i++) sink ^= body() ? 1 : 0;
      calls += 100;
      now = performance.now();
    }
    best = Math.max(best, (calls * opsPerCall) / ((now - start) / 1000));
  }
  if (sink === 42) console.error(""); // keep `sink` observable so the body is not optimised away
  return best;
}

export const round = (x: number, digits = 3) => Number(x.toPrecision(digits));
