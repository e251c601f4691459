/**
 * Suite scale (RELIABILITY_SCALE=full|short; full by default) and the figures each case
 * records: one JSON line per case, printed and appended to RELIABILITY_FIGURES (default
 * <tmpdir>/hostbridge-reliability.jsonl) so docs/reliability.md quotes a real run.
 */
import { appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SCALE = process.env.RELIABILITY_SCALE === "short" ? "short" : "full";
const full = SCALE === "full";

export const scale = {
  noisyRequests: full ? 1000 : 50,
  kills: full ? 10 : 3,
  killRequests: full ? 200 : 30,
  busRestarts: full ? 3 : 1,
  busRequests: full ? 40 : 10,
  reboots: full ? 5 : 2,
  rebootRequests: full ? 60 : 12,
  hostileFrames: full ? 1_000_000 : 50_000,
  hostileRequests: full ? 40 : 10,
};

export const FIGURES_PATH = process.env.RELIABILITY_FIGURES ?? join(tmpdir(), "hostbridge-reliability.jsonl");

export function recordFigures(name: string, figures: Record<string, unknown>): void {
  const line = JSON.stringify({ case: name, scale: SCALE, at: new Date().toISOString(), ...figures });
  appendFileSync(FIGURES_PATH, `${line}\n`);
  console.log(`reliability figures: ${line}`);
}

/** Runs `work` over `items` with at most `width` at a time; results in input order. */
export async function inWindow<T, R>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await work(items[i]!, i);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return out;
}

/** Rejects when `p` has not settled after `ms`: a request that never ends is "stuck". */
export function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`stuck: ${what} not settled after ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}
