/** The public byte vectors from ../shared, checked against the C implementations. */
import { readFileSync } from "node:fs";
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
/** The repo sits beside `shared/`; from dist/test/support or test/support walk up to it. */
function findVectors(): string {
  for (let dir = here, i = 0; i < 6; i++, dir = resolve(dir, "..")) {
    const p = resolve(dir, "..", "shared", "vectors", "public-vectors.json");
    try {
      readFileSync(p);
      return p;
    } catch {
      /* keep walking up */
    }
  }
  throw new Error("shared/vectors/public-vectors.json not found beside the repository");
}

export const publicVectors = JSON.parse(readFileSync(findVectors(), "utf8")) as { pldm: PldmVector[]; serial: SerialVector[] };

export const fromHex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
export const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
