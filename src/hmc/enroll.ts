/**
 * `hmc enroll`: what an HMC does to get its VMI client certificate through the BMC.
 * Nothing is written unless the certificate is for our key and chains to the root the
 * BMC serves, so a failed enroll never replaces working credentials. The root is added
 * to the folder's pinned roots (checked against `expectRoot` when given).
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
import { readEnrollment, writeCredentials, type CredentialPaths, type Credentials } from "./credentials-dir.js";
import { pinRoot, readPins, withPin, writePins } from "./pinned-roots.js";

export interface EnrollOptions {
  readonly bmc: BmcConnection;
  readonly outDir: string;
  readonly keyKind: KeyPairKind;
  /** e.g. "CN=hmc-1,O=IBM" */
  readonly subject: string;
  /** Refuse a root with another SHA-256 fingerprint (learnt out of band). */
  readonly expectRoot?: string;
  /** Pinned roots to keep (newest first). */
  readonly keepRoots?: number;
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

/** "credentials" and "proof" are renew's: no working set to renew, or the VMI did not accept the new one. */
export type EnrollFailure = "key-mismatch" | "chain" | "credentials" | "proof";

export class EnrollError extends Error {
  override readonly name = "EnrollError";
  constructor(
    readonly reason: EnrollFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Key, CSR, SignCSR and the root, checked: the certificate is for our key and chains to the root. */
export async function obtainCertificate(bmc: BmcConnection, keyKind: KeyPairKind, subject: string): Promise<Credentials> {
  const keys = await generateKeyPair(keyKind);
  const keyPem = await exportPrivateKeyPem(keys.privateKey);
  const csrPem = await createCsr({ keys, subject });

  const certPem = await requestSignedCertificate(bmc, csrPem);
  const rootPem = await fetchRootCertificate(bmc);

  if (!(await certificateMatchesKey(certPem, keyPem))) {
    throw new EnrollError("key-mismatch", "the BMC returned a certificate for another key than the one in our CSR");
  }
  const chain = await verifyChain(certPem, rootPem);
  if (!chain.ok) {
    // Most likely the VMI rebooted (new root) between SignCSR and the root fetch.
    throw new EnrollError("chain", `the certificate does not chain to the root the BMC serves (${chain.reason}: ${chain.message}); enroll again`);
  }
  return { keyPem, certPem, rootPem };
}

export async function enroll(options: EnrollOptions): Promise<EnrollResult> {
  const { keyPem, certPem, rootPem } = await obtainCertificate(options.bmc, options.keyKind, options.subject);
  const [pin, pins] = await Promise.all([pinRoot(rootPem, options.expectRoot), readPins(options.outDir)]);

  const [certificate, rootFingerprint, previous] = await Promise.all([
    describeCertificate(certPem),
    fingerprintSha256(rootPem),
    readEnrollment(options.outDir),
  ]);
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
  await writePins(options.outDir, withPin(pins, pin, options.keepRoots));
  return {
    paths,
    subject: certificate.subject,
    notAfter: certificate.notAfter,
    certificateFingerprint: certificate.sha256Fingerprint,
    rootFingerprint,
    replacedRootFingerprint: previous !== null && previous.rootFingerprint !== rootFingerprint ? previous.rootFingerprint : null,
  };
}
