/**
 * The checks the BMC makes on security material the host hands it, before anything is
 * written: a root for RootCert, and a signed certificate for a CSR entry. Both must be
 * exactly one PEM certificate with nothing around it (whitespace aside). Never throws for
 * bad input: every failure is a verdict with a reason, and the fingerprint of what came.
 */
import { CERTIFICATE_LABEL, CLIENT_AUTH, KeyUsage, readCertificate, type Certificate } from "./certificate.js";
import { decodeCsrPem } from "./csr.js";
import { sha256Fingerprint } from "./fingerprint.js";
import { splitPemBlocks } from "./pem.js";
import { verifyChain, type ChainFailure } from "./verify.js";

export type RootFailure =
  "not-pem" | "text-around" | "bad-der" | "not-ca" | "no-key-cert-sign" | "not-self-signed" | "bad-signature" | "not-yet-valid" | "expired";

export type IssuedFailure = ChainFailure | "no-root" | "text-around" | "key-mismatch" | "is-ca" | "not-client-auth" | "bad-csr";

export type Verdict<R extends string> =
  | { readonly ok: true; readonly fingerprint: string }
  /** `fingerprint` is of the certificate's DER when it decodes, else of the bytes as they came. */
  | { readonly ok: false; readonly reason: R; readonly message: string; readonly fingerprint: string };

/**
 * A root for RootCert: one PEM certificate, DER that decodes, basicConstraints CA:TRUE,
 * keyUsage with keyCertSign, issuer = subject and a signature that verifies with its own
 * key, valid at `now`.
 */
export async function validateRoot(text: string, now = Date.now()): Promise<Verdict<RootFailure>> {
  const read = await readStrict(text);
  if (!read.ok) return read;
  const { certificate, fingerprint } = read;
  const no = (reason: RootFailure, message: string) => ({ ok: false as const, reason, message, fingerprint });
  if (!certificate.isCa) return no("not-ca", `${certificate.subject} is not a CA (basicConstraints CA:TRUE missing)`);
  if (certificate.keyUsage?.(KeyUsage.keyCertSign) !== true)
    return no("no-key-cert-sign", `${certificate.subject} may not sign certificates (keyUsage keyCertSign missing)`);
  if (!Buffer.from(certificate.issuerDer).equals(certificate.subjectDer)) {
    return no("not-self-signed", `${certificate.subject} is issued by ${certificate.issuer}, not by itself`);
  }
  if (!certificate.signedBy(certificate.publicKey)) return no("bad-signature", `the self-signature of ${certificate.subject} does not verify`);
  if (now < certificate.notBefore.getTime()) return no("not-yet-valid", `${certificate.subject} is not valid before ${certificate.notBefore.toISOString()}`);
  if (now > certificate.notAfter.getTime()) return no("expired", `${certificate.subject} expired at ${certificate.notAfter.toISOString()}`);
  return { ok: true, fingerprint };
}

/**
 * A signed certificate for the entry whose CSR is `csrText`: one PEM certificate for the
 * CSR's very SubjectPublicKeyInfo, issued and signed by `rootPem` (the root last accepted),
 * valid at `now`, not a CA, and fit for TLS client authentication: an extendedKeyUsage, when
 * present, must name clientAuth, and a keyUsage, when present, must allow digitalSignature.
 */
export async function verifyIssuedCertificate(text: string, csrText: string, rootPem: string | null, now = Date.now()): Promise<Verdict<IssuedFailure>> {
  const read = await readStrict(text);
  if (!read.ok) return read;
  const { certificate, fingerprint } = read;
  const no = (reason: IssuedFailure, message: string) => ({ ok: false as const, reason, message, fingerprint });
  let csrKey: Buffer;
  try {
    csrKey = Buffer.from(decodeCsrPem(csrText).spkiDer);
  } catch (e) {
    return no("bad-csr", `the entry's CSR cannot be read: ${(e as Error).message}`);
  }
  if (!csrKey.equals(certificate.spkiDer)) return no("key-mismatch", `${certificate.subject} certifies another key than the entry's CSR`);
  if (certificate.isCa) return no("is-ca", `${certificate.subject} is a CA certificate, not a client certificate`);
  if (certificate.extendedKeyUsage && !certificate.extendedKeyUsage.includes(CLIENT_AUTH))
    return no("not-client-auth", `${certificate.subject} is not for TLS client authentication (extendedKeyUsage lacks clientAuth)`);
  if (certificate.keyUsage?.(KeyUsage.digitalSignature) === false)
    return no("not-client-auth", `${certificate.subject} may not sign (keyUsage lacks digitalSignature)`);
  if (rootPem === null) return no("no-root", "no root certificate has been accepted yet to check the signature against");
  const chain = await verifyChain(text, rootPem, now);
  return chain.ok ? { ok: true, fingerprint } : no(chain.reason, chain.message);
}

type Strict =
  | { ok: true; certificate: Certificate; fingerprint: string }
  | { ok: false; reason: "not-pem" | "text-around" | "bad-der"; message: string; fingerprint: string };

/** Exactly one CERTIFICATE block, nothing but whitespace around it, DER that decodes. */
async function readStrict(text: string): Promise<Strict> {
  const bytes = new TextEncoder().encode(text);
  const no = async (reason: "not-pem" | "text-around" | "bad-der", message: string, der?: Uint8Array) => ({
    ok: false as const,
    reason,
    message,
    fingerprint: await sha256Fingerprint(der ?? bytes),
  });
  let blocks;
  try {
    blocks = splitPemBlocks(text);
  } catch (e) {
    return no("not-pem", (e as Error).message);
  }
  const [block] = blocks;
  if (block === undefined) return no("not-pem", `no PEM block in ${bytes.length} bytes`);
  if (blocks.length > 1) return no("text-around", `${blocks.length} PEM blocks where exactly one certificate belongs`);
  if (block.label !== CERTIFICATE_LABEL) return no("not-pem", `a PEM ${block.label} block, not a CERTIFICATE`);
  const trimmed = text.trim();
  if (!trimmed.startsWith(`-----BEGIN ${CERTIFICATE_LABEL}-----`) || !trimmed.endsWith(`-----END ${CERTIFICATE_LABEL}-----`)) {
    return no("text-around", `${bytes.length} bytes with text around the certificate`, block.der);
  }
  try {
    return { ok: true, certificate: readCertificate(text), fingerprint: await sha256Fingerprint(block.der) };
  } catch (e) {
    return no("bad-der", (e as Error).message, block.der);
  }
}

/** Whether `text` passes every check but the root's: the certificate's key is the CSR's, fit for client auth. */
export async function isBoundToCsr(text: string, csrText: string): Promise<boolean> {
  const verdict = await verifyIssuedCertificate(text, csrText, null);
  return !verdict.ok && verdict.reason === "no-root";
}
