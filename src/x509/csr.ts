/**
 * PKCS#10 requests read as they arrive from the BMC: the DER walker takes the request apart,
 * node:crypto (OpenSSL) reads the key and checks the signature. No @peculiar/x509 here.
 */
import type { KeyObject } from "node:crypto";
import { contextTag, DerError, readBitString, readSingle, sequenceOf, Tag } from "./der.js";
import { CsrError, PemError } from "./errors.js";
import { sha256Fingerprint } from "./fingerprint.js";
import { keyKindOf, publicKeyFromSpki, signingKeyAlgorithm, type KeyKind } from "./keys.js";
import { nameToString } from "./name.js";
import { decodeSinglePem, encodePem } from "./pem.js";
import { verifySignature } from "./signature.js";

/** Largest CSR text accepted: SignCSR's 4096-byte limit plus the newline pldmd appends. */
export const MAX_CSR_BYTES = 4096 + 1;

export const CSR_LABEL = "CERTIFICATE REQUEST";
// Netscape-era tools and some HMC builds still write the NEW variant.
const CSR_LABELS = [CSR_LABEL, "NEW CERTIFICATE REQUEST"];

/** A CSR whose signature has been checked and whose key is one the CA will certify. */
export interface ParsedCsr {
  /** Re-encoded with the standard label and LF line ends. */
  readonly pem: string;
  readonly der: Uint8Array;
  /** e.g. "CN=hmc-1, O=IBM", attributes in the order they are encoded. */
  readonly subject: string;
  /** The subject exactly as encoded, so an issued certificate copies it byte for byte. */
  readonly subjectDer: Uint8Array;
  readonly publicKeySpkiDer: Uint8Array;
  /** SHA-256 of the SubjectPublicKeyInfo DER, "AA:BB:...". */
  readonly publicKeyFingerprint: string;
  readonly keyKind: KeyKind;
}

/**
 * Reads a CSR as it arrives from the BMC and checks everything the CA relies on:
 * size, one PEM block, DER, a non-empty subject, a supported key and, always, the
 * signature (proof the requester holds the private key). Throws CsrError.
 * Requested extensions are not read: the CA alone decides what it certifies.
 */
export async function parseCsr(text: string): Promise<ParsedCsr> {
  const size = Buffer.byteLength(text, "utf8");
  if (size > MAX_CSR_BYTES) {
    throw new CsrError("too-large", `CSR is ${size} bytes, the limit is ${MAX_CSR_BYTES}`);
  }
  const csr = decodeCsrPem(text);
  if (csr.subject === "") {
    throw new CsrError("empty-subject", "CSR has an empty subject");
  }
  const keyKind = keyKindOf(csr.publicKey);
  if (signingKeyAlgorithm(keyKind) === undefined) {
    throw new CsrError("unsupported-key", `CSR key is ${keyKind}; supported: RSA 2048..4096, EC P-256/P-384`);
  }
  if (!csr.signatureValid()) {
    throw new CsrError("bad-signature", "CSR signature does not verify with the CSR's own public key");
  }
  return {
    pem: encodePem(CSR_LABEL, csr.der),
    der: csr.der,
    subject: csr.subject,
    subjectDer: csr.subjectDer,
    publicKeySpkiDer: csr.spkiDer,
    publicKeyFingerprint: await sha256Fingerprint(csr.spkiDer),
    keyKind,
  };
}

export interface DecodedCsr {
  readonly der: Uint8Array;
  readonly subject: string;
  readonly subjectDer: Uint8Array;
  readonly spkiDer: Uint8Array;
  readonly publicKey: KeyObject;
  /** Whether the signature verifies with the request's own key; throws CsrError for an algorithm we cannot check. */
  readonly signatureValid: () => boolean;
}

/** Decodes the one CSR block, every field of it. Checks nothing else. Throws CsrError. */
export function decodeCsrPem(text: string): DecodedCsr {
  let der: Uint8Array;
  try {
    der = decodeSinglePem(text, CSR_LABELS).der;
  } catch (error) {
    throw error instanceof PemError ? new CsrError("not-pem", error.message) : error;
  }
  try {
    const [info, algorithm, signature, ...extra] = sequenceOf(readSingle(der, "CSR"), "CertificationRequest");
    if (info === undefined || algorithm === undefined || extra.length > 0)
      throw new DerError("a CertificationRequest is its info, an algorithm and a signature");
    const [version, subject, spki, attributes, ...more] = sequenceOf(info, "CertificationRequestInfo");
    if (version?.tag !== Tag.integer || version.content.length !== 1 || version.content[0] !== 0) throw new DerError("CSR version is not 1 (0)");
    if (subject === undefined || spki === undefined) throw new DerError("CertificationRequestInfo is missing fields");
    if (attributes !== undefined) sequenceOf(attributes, "CSR attributes", contextTag(0));
    if (more.length > 0) throw new DerError("CertificationRequestInfo has fields after its attributes");
    const signatureBits = readBitString(signature, "CSR signature");
    if (signatureBits.unusedBits !== 0) throw new DerError("CSR signature is not whole bytes");
    const publicKey = publicKeyFromSpki(spki.bytes);
    const signatureValid = () => {
      try {
        return verifySignature(algorithm, info.bytes, signatureBits.bytes, publicKey);
      } catch (error) {
        throw new CsrError("unsupported-signature-algorithm", `cannot check the CSR signature: ${(error as Error).message}`);
      }
    };
    return { der, subject: nameToString(subject), subjectDer: subject.bytes, spkiDer: spki.bytes, publicKey, signatureValid };
  } catch (error) {
    throw new CsrError("bad-der", `not a PKCS#10 request: ${(error as Error).message}`);
  }
}
