import { isSingleDerElement } from "./der.js";
import { CsrError, PemError } from "./errors.js";
import { sha256Fingerprint } from "./fingerprint.js";
import { keyKindOf, signatureAlgorithmFor, signingKeyAlgorithm, type KeyKind } from "./keys.js";
import { decodeSinglePem, encodePem } from "./pem.js";
import { x509, type CryptoKeyPair } from "./provider.js";

/** Largest CSR text accepted: SignCSR's 4096-byte limit plus the newline pldmd appends. */
export const MAX_CSR_BYTES = 4096 + 1;

const CSR_LABEL = "CERTIFICATE REQUEST";
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

export interface CreateCsrOptions {
  readonly keys: CryptoKeyPair;
  /** e.g. "CN=hmc,O=IBM", in the order the attributes are to be encoded (as openssl's -subj). */
  readonly subject: string;
}

export async function createCsr({ keys, subject }: CreateCsrOptions): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: signatureAlgorithmFor(keys.privateKey),
  });
  return encodePem(CSR_LABEL, csr.rawData);
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
  const { der, csr, subject, publicKey } = decodeCsrPem(text);
  if (subject === "") {
    throw new CsrError("empty-subject", "CSR has an empty subject");
  }
  const keyKind = keyKindOf(publicKey);
  if (signingKeyAlgorithm(keyKind) === undefined) {
    throw new CsrError("unsupported-key", `CSR key is ${keyKind}; supported: RSA 2048..4096, EC P-256/P-384`);
  }
  await verifySignature(csr);
  const publicKeySpkiDer = new Uint8Array(publicKey.rawData);
  return {
    pem: encodePem(CSR_LABEL, der),
    der,
    subject,
    subjectDer: new Uint8Array(csr.subjectName.toArrayBuffer()),
    publicKeySpkiDer,
    publicKeyFingerprint: await sha256Fingerprint(publicKeySpkiDer),
    keyKind,
  };
}

interface DecodedCsr {
  readonly der: Uint8Array;
  readonly csr: x509.Pkcs10CertificateRequest;
  readonly subject: string;
  readonly publicKey: x509.PublicKey;
}

/**
 * Decodes the one CSR block, and at once the fields the library would decode lazily,
 * so a broken part anywhere is bad-der here. Checks nothing else. Throws CsrError.
 */
export function decodeCsrPem(text: string): DecodedCsr {
  let der: Uint8Array;
  try {
    der = decodeSinglePem(text, CSR_LABELS).der;
  } catch (error) {
    throw error instanceof PemError ? new CsrError("not-pem", error.message) : error;
  }
  if (!isSingleDerElement(der)) {
    throw new CsrError("bad-der", "CSR DER length does not match its data");
  }
  try {
    const csr = new x509.Pkcs10CertificateRequest(der);
    return { der, csr, subject: csr.subject, publicKey: csr.publicKey };
  } catch (error) {
    throw new CsrError("bad-der", `not a PKCS#10 request: ${(error as Error).message}`);
  }
}

async function verifySignature(csr: x509.Pkcs10CertificateRequest): Promise<void> {
  let valid: boolean;
  try {
    valid = await csr.verify();
  } catch (error) {
    throw new CsrError("unsupported-signature-algorithm", `cannot check the CSR signature: ${(error as Error).message}`);
  }
  if (!valid) {
    throw new CsrError("bad-signature", "CSR signature does not verify with the CSR's own public key");
  }
}
