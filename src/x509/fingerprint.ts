import { createHash } from "node:crypto";
import { decodeSinglePem } from "./pem.js";

/**
 * SHA-256 of `der` as openssl prints fingerprints: upper-case hex pairs joined by ':'.
 * node:crypto, not the x509 provider: the daemon fingerprints roots without loading @peculiar/x509.
 */
export async function sha256Fingerprint(der: Uint8Array | ArrayBuffer): Promise<string> {
  const digest = createHash("sha256")
    .update(der instanceof Uint8Array ? der : new Uint8Array(der))
    .digest();
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

const FINGERPRINTED_LABELS = ["CERTIFICATE", "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"];

/**
 * SHA-256 fingerprint of the DER of the one certificate or CSR in `pem`; equals
 * `openssl x509 -noout -fingerprint -sha256`. Throws PemError.
 */
export async function fingerprintSha256(pem: string): Promise<string> {
  return sha256Fingerprint(decodeSinglePem(pem, FINGERPRINTED_LABELS).der);
}

/** A SHA-256 fingerprint as `sha256Fingerprint` writes it, from colon-separated or plain hex in either case; null when it is not one. */
export function normalizeSha256Fingerprint(text: string): string | null {
  const hex = text.replace(/[:\s]/g, "").toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex.match(/../g)!.join(":") : null;
}
