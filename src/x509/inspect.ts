import { webcrypto } from "node:crypto";
import { readCertificate } from "./certificate.js";
import { decodeCsrPem } from "./csr.js";
import { sha256Fingerprint } from "./fingerprint.js";
import { importPrivateKeyPem, keyKindOf, publicKeyFromSpki, type KeyKind } from "./keys.js";

/** What `hostbridge cert show` prints about a certificate. */
export interface CertificateDescription {
  readonly kind: "certificate";
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Upper-case hex, as `openssl x509 -serial` prints it. */
  readonly serial: string;
  readonly keyKind: KeyKind;
  /** Of the certificate's DER; equals `openssl x509 -fingerprint -sha256`. */
  readonly sha256Fingerprint: string;
  readonly isCa: boolean;
}

/** What `hostbridge cert show` prints about a CSR; unlike parseCsr it also describes one the CA would refuse. */
export interface CsrDescription {
  readonly kind: "csr";
  readonly subject: string;
  readonly keyKind: KeyKind;
  readonly sha256Fingerprint: string;
  readonly signatureValid: boolean;
}

/** Throws CertificateError. */
export async function describeCertificate(pem: string): Promise<CertificateDescription> {
  const certificate = readCertificate(pem);
  return {
    kind: "certificate",
    subject: certificate.subject,
    issuer: certificate.issuer,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    serial: certificate.serialNumber,
    keyKind: keyKindOf(certificate.publicKey),
    sha256Fingerprint: await sha256Fingerprint(certificate.der),
    isCa: certificate.isCa,
  };
}

/** Throws CsrError "not-pem" or "bad-der"; a bad signature is reported, not thrown. */
export async function describeCsr(pem: string): Promise<CsrDescription> {
  const csr = decodeCsrPem(pem);
  let signatureValid: boolean;
  try {
    signatureValid = csr.signatureValid();
  } catch {
    signatureValid = false;
  }
  return {
    kind: "csr",
    subject: csr.subject,
    keyKind: keyKindOf(csr.publicKey),
    sha256Fingerprint: await sha256Fingerprint(csr.der),
    signatureValid,
  };
}

/**
 * Whether the private key in `privateKeyPem` is the one certified in `certPem`.
 * Throws CertificateError or KeyError when either cannot be read.
 */
export async function certificateMatchesKey(certPem: string, privateKeyPem: string): Promise<boolean> {
  const certificate = readCertificate(certPem);
  const keys = await importPrivateKeyPem(privateKeyPem);
  if (keyKindOf(certificate.publicKey) !== keys.kind) return false;
  // Both sides re-exported by node so equal keys compare equal byte for byte.
  const certified = certificate.publicKey.export({ type: "spki", format: "der" });
  const held = publicKeyFromSpki(await webcrypto.subtle.exportKey("spki", keys.publicKey));
  return certified.equals(held.export({ type: "spki", format: "der" }));
}
