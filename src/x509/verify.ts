import { readCertificate, type Certificate } from "./certificate.js";
import { CertificateError } from "./errors.js";

export type ChainFailure = "not-pem" | "bad-der" | "root-not-ca" | "issuer-mismatch" | "bad-signature" | "not-yet-valid" | "expired";

export type ChainVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: ChainFailure; readonly message: string };

/**
 * Checks that `certPem` was issued by the root in `rootPem` and that both are valid
 * at `now` (ms since the epoch, default the wall clock): root is a CA, issuer name
 * and key identifier link to the root, the signature verifies with the root's key.
 * Never throws for bad input; every failure is a verdict with a reason.
 */
export async function verifyChain(certPem: string, rootPem: string, now = Date.now()): Promise<ChainVerdict> {
  let certificate: Certificate;
  let root: Certificate;
  try {
    certificate = readCertificate(certPem);
    root = readCertificate(rootPem);
  } catch (error) {
    if (error instanceof CertificateError && (error.reason === "not-pem" || error.reason === "bad-der")) {
      return fail(error.reason, error.message);
    }
    throw error;
  }
  if (!root.isCa) {
    return fail("root-not-ca", `root ${root.subject} is not a CA certificate (basicConstraints CA:TRUE missing)`);
  }
  const link = checkLink(certificate, root);
  if (link !== undefined) return link;
  if (!certificate.signedBy(root.publicKey)) {
    return fail("bad-signature", `the signature on ${certificate.subject} does not verify with the key of ${root.subject}`);
  }
  return checkValidity("root", root, now) ?? checkValidity("certificate", certificate, now) ?? { ok: true };
}

function checkLink(certificate: Certificate, root: Certificate): ChainVerdict | undefined {
  if (!Buffer.from(certificate.issuerDer).equals(root.subjectDer)) {
    return fail("issuer-mismatch", `certificate issuer ${certificate.issuer} is not root subject ${root.subject}`);
  }
  const authorityKeyId = certificate.authorityKeyId;
  const rootKeyId = root.subjectKeyId;
  if (authorityKeyId !== undefined && rootKeyId !== undefined && authorityKeyId !== rootKeyId) {
    return fail("issuer-mismatch", `certificate authority key id ${authorityKeyId} is not root key id ${rootKeyId}`);
  }
  return undefined;
}

function checkValidity(role: string, certificate: Certificate, now: number): ChainVerdict | undefined {
  if (now < certificate.notBefore.getTime()) {
    return fail("not-yet-valid", `${role} ${certificate.subject} is not valid before ${certificate.notBefore.toISOString()}`);
  }
  if (now > certificate.notAfter.getTime()) {
    return fail("expired", `${role} ${certificate.subject} expired at ${certificate.notAfter.toISOString()}`);
  }
  return undefined;
}

function fail(reason: ChainFailure, message: string): ChainVerdict {
  return { ok: false, reason, message };
}
