/**
 * `hmc enroll`: what an HMC does to get its VMI client certificate through the BMC.
 * Nothing is written unless the certificate is for our key and chains to the root the
 * BMC serves, so a failed enroll never replaces working credentials.
 */
import {
  certificateMatchesKey,
  createCsr,
  describeCertificate,
  exportPrivateKeyPem,
  fingerprintSha256,
  generateKeyPair,
  verifyChain,
  type KeyPairKind,
} from "../x509/index.js";
import { fetchRootCertificate, requestSignedCertificate, type BmcConnection } from "./bmc-client.js";
import { readEnrollment, writeCredentials, type CredentialPaths } from "./credentials-dir.js";

export interface EnrollOptions {
  readonly bmc: BmcConnection;
  readonly outDir: string;
  readonly keyKind: KeyPairKind;
  /** e.g. "CN=hmc-1,O=IBM" */
  readonly subject: string;
}

export interface EnrollResult {
  readonly paths: CredentialPaths;
  readonly subject: string;
  readonly notAfter: Date;
  readonly certificateFingerprint: string;
  readonly rootFingerprint: string;
  /** The root the previous enroll into this folder saw, when it differs from this one. */
  readonly replacedRootFingerprint: string | null;
}

export type EnrollFailure = "key-mismatch" | "chain";

export class EnrollError extends Error {
  override readonly name = "EnrollError";
  constructor(
    readonly reason: EnrollFailure,
    message: string,
  ) {
    super(message);
  }
}

export async function enroll(options: EnrollOptions): Promise<EnrollResult> {
  const keys = await generateKeyPair(options.keyKind);
  const keyPem = await exportPrivateKeyPem(keys.privateKey);
  const csrPem = await createCsr({ keys, subject: options.subject });

  const certPem = await requestSignedCertificate(options.bmc, csrPem);
  const rootPem = await fetchRootCertificate(options.bmc);

  if (!(await certificateMatchesKey(certPem, keyPem))) {
    throw new EnrollError("key-mismatch", "the BMC returned a certificate for another key than the one in our CSR");
  }
  const chain = await verifyChain(certPem, rootPem);
  if (!chain.ok) {
    // Most likely the VMI rebooted (new root) between SignCSR and the root fetch.
    throw new EnrollError("chain", `the certificate does not chain to the root the BMC serves (${chain.reason}: ${chain.message}); enroll again`);
  }

  const [certificate, rootFingerprint, previous] = await Promise.all([describeCertificate(certPem), fingerprintSha256(rootPem), readEnrollment(options.outDir)]);
  const paths = await writeCredentials(
    options.outDir,
    { rootPem, certPem, keyPem },
    {
      bmcUrl: options.bmc.url,
      subject: certificate.subject,
      rootFingerprint,
      certificateFingerprint: certificate.sha256Fingerprint,
      enrolledAt: new Date().toISOString(),
    },
  );
  return {
    paths,
    subject: certificate.subject,
    notAfter: certificate.notAfter,
    certificateFingerprint: certificate.sha256Fingerprint,
    rootFingerprint,
    replacedRootFingerprint: previous !== null && previous.rootFingerprint !== rootFingerprint ? previous.rootFingerprint : null,
  };
}
