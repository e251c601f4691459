/**
 * The built-in key policy: which key types a CSR or certificate may carry, each with a
 * minimum size in bits, e.g. {"RSA": 2048, "EC": 256}. A type not listed is refused.
 */
import type { KeyKind } from "../x509/checks.js";

/** Key type ("RSA", "EC", "Ed25519", "Ed448") to its minimum size in bits. */
export type KeyPolicy = Readonly<Record<string, number>>;

const EC_BITS: Record<string, number> = { "P-256": 256, "P-384": 384, "P-521": 521 };

/** A key kind as a type and size: "RSA 2048" -> RSA 2048, "EC P-384" -> EC 384, "Ed25519" -> Ed25519 256. */
export function keyTypeAndSize(kind: KeyKind): { type: string; bits: number } {
  const rsa = /^RSA (\d+)$/.exec(kind);
  if (rsa) return { type: "RSA", bits: Number(rsa[1]) };
  const ec = /^EC (P-\d+)$/.exec(kind);
  if (ec) return { type: "EC", bits: EC_BITS[ec[1]!] ?? 0 };
  if (kind === "Ed25519") return { type: "Ed25519", bits: 256 };
  if (kind === "Ed448") return { type: "Ed448", bits: 448 };
  return { type: kind, bits: 0 };
}

/** Null when the key is allowed, else why not. */
export function keyPolicyDenial(policy: KeyPolicy, kind: KeyKind): string | null {
  const { type, bits } = keyTypeAndSize(kind);
  const min = policy[type];
  if (min === undefined) return `key policy: ${kind} keys are not allowed (allowed: ${describeKeyPolicy(policy)})`;
  if (bits < min) return `key policy: ${kind} is below the minimum of ${min} bits for ${type}`;
  return null;
}

export function describeKeyPolicy(policy: KeyPolicy): string {
  return Object.entries(policy)
    .map(([type, min]) => `${type} >= ${min}`)
    .join(", ");
}

/** "RSA:2048,EC:256" (the --key-policy flag). Throws RangeError. */
export function parseKeyPolicy(text: string): KeyPolicy {
  const policy: Record<string, number> = {};
  for (const part of text.split(",")) {
    const m = /^\s*(RSA|EC|Ed25519|Ed448)\s*:\s*(\d{1,5})\s*$/.exec(part);
    if (!m) throw new RangeError(`key policy "${text}": expected TYPE:MINBITS,... with TYPE one of RSA, EC, Ed25519, Ed448`);
    policy[m[1]!] = Number(m[2]);
  }
  return policy;
}
