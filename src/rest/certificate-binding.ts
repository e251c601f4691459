/**
 * The last check before SignCSR answers 200: the certificate is exactly one X.509
 * certificate (nothing around it) whose key is the key of the CSR this request sent.
 * Whoever wrote ClientCertificate on the bus (a faulty daemon, a hostile writer, an
 * entry reused after a restart), another key never reaches the HMC.
 */
import { splitPemBlocks } from "../x509/checks.js";
import { readCertificate } from "../x509/certificate.js";
import { decodeCsrPem } from "../x509/csr.js";

/** Why `csrPem` is not one decodable PEM CSR, or undefined when it is. */
export function csrDecodeProblem(csrPem: string): string | undefined {
  try {
    decodeCsrPem(csrPem);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Why `certificatePem` may not be handed out for `csrPem`, or undefined when it may. */
export function certificateBindingProblem(csrPem: string, certificatePem: string): string | undefined {
  let csrKey: Uint8Array;
  try {
    csrKey = decodeCsrPem(csrPem).spkiDer;
  } catch (error) {
    return `the request's CSR does not decode (${(error as Error).message}), so no certificate can be bound to it`;
  }
  const blocks = (() => {
    try {
      return splitPemBlocks(certificatePem);
    } catch (error) {
      return (error as Error).message;
    }
  })();
  if (typeof blocks === "string") return `the certificate is not clean PEM: ${blocks}`;
  if (blocks.length !== 1) return `expected exactly one PEM block, found ${blocks.length}`;
  if (!/^\s*-----BEGIN [A-Z0-9 ]+-----[\s\S]*-----END [A-Z0-9 ]+-----\s*$/.test(certificatePem)) {
    return "the certificate PEM has text around its block";
  }
  let certKey: Uint8Array;
  try {
    certKey = readCertificate(certificatePem).spkiDer;
  } catch (error) {
    return `not an X.509 certificate: ${(error as Error).message}`;
  }
  return Buffer.from(certKey).equals(Buffer.from(csrKey)) ? undefined : "the certificate's SubjectPublicKeyInfo is not the CSR's";
}
