/** The public byte vectors from ../shared, checked against the C implementations. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface PldmVector {
  name: string;
  hex: string;
  expect: { request: boolean; instanceId: number; type: number; command: number; completionCode?: number; fields?: Record<string, unknown> };
}
export interface SerialVector {
  name: string;
  hex: string;
  expect: { src: number; dest: number; tag: number; tagOwner: boolean; pldm: Partial<PldmVector["expect"]> }[];
}

const here = dirname(fileURLToPath(import.meta.url));
/**
 * A copy lives in the repository (test/vectors) so a clean checkout tests on its own;
 * the original sits in ../shared beside the repository when there is one.
 */
function walkUpFor(...parts: string[]): string | null {
  for (let dir = here, i = 0; i < 6; i++, dir = resolve(dir, "..")) {
    const p = resolve(dir, ...parts);
    if (existsSync(p)) return p;
  }
  return null;
}

export const vectorsPath = walkUpFor("test", "vectors", "public-vectors.json") ?? "test/vectors/public-vectors.json";
/** The upstream original, or null when this checkout has no ../shared beside it. */
export const upstreamVectorsPath = walkUpFor("..", "shared", "vectors", "public-vectors.json");

export const publicVectors = JSON.parse(readFileSync(vectorsPath, "utf8")) as { pldm: PldmVector[]; serial: SerialVector[] };

export const fromHex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
export const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
