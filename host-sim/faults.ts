/**
 * Fault settings for the simulated host, from one flag: "corrupt=0.01,drop=0.01,
 * delay=50,notready=0.1,sign-delay=200,seed=7". Random choices come from a seeded
 * generator (`src/os/random.ts`) so a failing run can be replayed. A hostile host:
 * "bad-root=KIND", "bad-cert=KIND", "bad-times=N" (host-sim/hostile.ts).
 */
import { BAD_CERTS, BAD_ROOTS, type BadCertKind, type BadRootKind } from "./hostile.js";

export interface HostFaults {
  /** Per byte the host sends: probability it is corrupted / dropped on the line. */
  corrupt: number;
  drop: number;
  /** Added before every answer, ms. */
  delay: number;
  /** Probability a file-io request is answered NOT_READY. */
  notReady: number;
  /** Added to every signing, ms. */
  signDelay: number;
  seed: number;
  /** Push this bad root instead of the real one. */
  badRoot: BadRootKind | null;
  /** Push this bad certificate instead of the one signed. */
  badCert: BadCertKind | null;
  /** Bad pushes of each kind before the host turns honest; 0 = always. */
  badTimes: number;
}

export const NO_FAULTS: HostFaults = { corrupt: 0, drop: 0, delay: 0, notReady: 0, signDelay: 0, seed: 1, badRoot: null, badCert: null, badTimes: 0 };

type NumericFault = Exclude<keyof HostFaults, "badRoot" | "badCert">;

const KEYS: Record<string, NumericFault> = {
  corrupt: "corrupt",
  drop: "drop",
  delay: "delay",
  notready: "notReady",
  "not-ready": "notReady",
  "sign-delay": "signDelay",
  seed: "seed",
  "bad-times": "badTimes",
};

export function parseFaults(text: string | undefined): HostFaults {
  const out = { ...NO_FAULTS };
  if (!text) return out;
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [k, v] = part.split("=");
    if (k === "bad-root" || k === "bad-cert") {
      const kinds: readonly string[] = k === "bad-root" ? BAD_ROOTS : BAD_CERTS;
      if (!v || !kinds.includes(v)) throw new Error(`bad fault "${part}": ${k} is one of ${kinds.join("|")}`);
      if (k === "bad-root") out.badRoot = v as BadRootKind;
      else out.badCert = v as BadCertKind;
      continue;
    }
    const field = KEYS[k ?? ""];
    const n = Number(v);
    if (!field || v === undefined || !Number.isFinite(n) || n < 0) {
      throw new Error(`bad fault "${part}": use ${Object.keys(KEYS).join("|")}=<non-negative number> or bad-root|bad-cert=<kind>`);
    }
    if ((field === "corrupt" || field === "drop" || field === "notReady") && n > 1) throw new Error(`fault ${k} is a probability (0..1)`);
    out[field] = n;
  }
  return out;
}
