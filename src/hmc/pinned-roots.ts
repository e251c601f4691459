/**
 * The HMC's pinned VMI roots (oVirt's "PKI reduce": trust by pinned keys, several per
 * side for fail-over). DIR/pins.json lists each root by SHA-256 fingerprint with its
 * PEM; a PEM whose fingerprint is not its pin is refused, so editing the file cannot
 * slip a root in. The newest root comes first; older ones stay pinned (up to a bound)
 * so a VMI that still presents them is trusted while the HMC rolls over.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../os/files.js";
import { describeCertificate, fingerprintSha256, normalizeSha256Fingerprint } from "../x509/checks.js";

export interface PinnedRoot {
  readonly fingerprint: string;
  readonly subject: string;
  readonly pem: string;
  readonly pinnedAt: string;
}

export class PinError extends Error {
  override readonly name = "PinError";
}

/** Pins kept by default: the current root and two before it. */
export const DEFAULT_KEEP_ROOTS = 3;

export const pinsPath = (dir: string): string => join(dir, "pins.json");

/** SHA-256 as openssl prints it; accepts lower case and no colons too. */
export function normalizeFingerprint(text: string): string {
  const fingerprint = normalizeSha256Fingerprint(text);
  if (fingerprint === null) throw new PinError(`"${text}" is not a SHA-256 fingerprint (64 hex digits)`);
  return fingerprint;
}

/**
 * The pinned roots, each checked against its fingerprint. A folder from before pins
 * existed has only ca/cert.pem: that root is the one pin. Throws PinError.
 */
export async function readPins(dir: string): Promise<PinnedRoot[]> {
  let text: string;
  try {
    text = await fs.readFile(pinsPath(dir), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new PinError(`${pinsPath(dir)}: ${(error as Error).message}`);
    const legacy = await fs.readFile(join(dir, "ca", "cert.pem"), "utf8").catch(() => null);
    return legacy === null ? [] : [await pinRoot(legacy)];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PinError(`${pinsPath(dir)}: not JSON: ${(error as Error).message}`);
  }
  const roots = (parsed as { roots?: unknown }).roots;
  if (!Array.isArray(roots)) throw new PinError(`${pinsPath(dir)}: expected {"roots": [...]}`);
  const pins: PinnedRoot[] = [];
  for (const entry of roots as Partial<PinnedRoot>[]) {
    if (typeof entry.fingerprint !== "string" || typeof entry.pem !== "string") throw new PinError(`${pinsPath(dir)}: a pin without fingerprint or pem`);
    const actual = await fingerprintSha256(entry.pem).catch((e: unknown) => `unreadable (${(e as Error).message})`);
    if (actual !== normalizeFingerprint(entry.fingerprint)) {
      throw new PinError(`${pinsPath(dir)}: the root pinned as ${entry.fingerprint} has fingerprint ${actual}; refusing the whole pin set`);
    }
    pins.push({ fingerprint: actual, subject: entry.subject ?? "", pem: entry.pem, pinnedAt: entry.pinnedAt ?? "" });
  }
  return pins;
}

export async function writePins(dir: string, pins: readonly PinnedRoot[]): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await writeFileAtomic(pinsPath(dir), `${JSON.stringify({ roots: pins }, null, 2)}\n`, 0o644);
}

/** A pin for a root PEM; with `expected`, only when the fingerprint is that one. Throws PinError. */
export async function pinRoot(pem: string, expected?: string): Promise<PinnedRoot> {
  const description = await describeCertificate(pem).catch((e: unknown) => {
    throw new PinError(`not a certificate: ${(e as Error).message}`);
  });
  if (!description.isCa) throw new PinError(`${description.subject} is not a CA certificate`);
  if (expected !== undefined && description.sha256Fingerprint !== normalizeFingerprint(expected)) {
    throw new PinError(`the root ${description.subject} has fingerprint ${description.sha256Fingerprint}, not the expected ${normalizeFingerprint(expected)}`);
  }
  return { fingerprint: description.sha256Fingerprint, subject: description.subject, pem, pinnedAt: new Date().toISOString() };
}

/** `pin` first, then the others (without a duplicate), at most `keep`. */
export function withPin(pins: readonly PinnedRoot[], pin: PinnedRoot, keep = DEFAULT_KEEP_ROOTS): PinnedRoot[] {
  return [pin, ...pins.filter((p) => p.fingerprint !== pin.fingerprint)].slice(0, Math.max(1, keep));
}

export function withoutPin(pins: readonly PinnedRoot[], fingerprint: string): PinnedRoot[] {
  const fp = normalizeFingerprint(fingerprint);
  if (!pins.some((p) => p.fingerprint === fp)) throw new PinError(`${fp} is not pinned`);
  return pins.filter((p) => p.fingerprint !== fp);
}
