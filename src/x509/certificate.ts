import { isSingleDerElement } from "./der.js";
import { CertificateError, PemError } from "./errors.js";
import { decodeSinglePem } from "./pem.js";
import { x509 } from "./provider.js";

export const CERTIFICATE_LABEL = "CERTIFICATE";

/** Decodes the one certificate in `pem`. Throws CertificateError. */
export function readCertificate(pem: string): x509.X509Certificate {
  let der: Uint8Array;
  try {
    der = decodeSinglePem(pem, [CERTIFICATE_LABEL]).der;
  } catch (error) {
    throw error instanceof PemError ? new CertificateError("not-pem", error.message) : error;
  }
  if (!isSingleDerElement(der)) {
    throw new CertificateError("bad-der", "certificate DER length does not match its data");
  }
  try {
    const certificate = new x509.X509Certificate(der);
    // The library decodes these on first use; decode them now so a broken
    // certificate is bad-der here rather than an untyped error later.
    void [certificate.subject, certificate.issuer, certificate.publicKey, certificate.extensions];
    void [certificate.notBefore, certificate.notAfter, certificate.serialNumber];
    return certificate;
  } catch (error) {
    throw new CertificateError("bad-der", `not an X.509 certificate: ${(error as Error).message}`);
  }
}

/** The Subject Key Identifier the certificate carries, or the RFC 5280 one derived from its key. */
export async function subjectKeyId(certificate: x509.X509Certificate): Promise<string> {
  const extension = certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  if (extension !== null) return extension.keyId;
  return (await x509.SubjectKeyIdentifierExtension.create(certificate.publicKey)).keyId;
}

/** Whether the certificate's basicConstraints says CA:TRUE. */
export function isCaCertificate(certificate: x509.X509Certificate): boolean {
  return certificate.getExtension(x509.BasicConstraintsExtension)?.ca === true;
}
