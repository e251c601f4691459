/**
 * `hmc renew`: enrol a new certificate and swap it in only once it has been proven
 * against the VMI (a mutual-TLS connect that the VMI greets). Until then the working
 * credentials stay as they are; after the swap they are kept in DIR/previous. Run
 * within the VMI's root grace after a reboot, the HMC never loses its connection.
 * Failures are EnrollErrors ("credentials": nothing to renew; "proof": the VMI refused).
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { describeCertificate, type KeyPairKind } from "../x509/index.js";
import type { BmcConnection } from "./bmc-client.js";
import { credentialPaths, readCredentials, writeCredentials } from "./credentials-dir.js";
import { EnrollError, obtainCertificate } from "./enroll.js";
import { DEFAULT_KEEP_ROOTS, pinRoot, readPins, withPin, writePins } from "./pinned-roots.js";
import { connectToVmi } from "./vmi-connect.js";

export interface RenewOptions {
  readonly bmc: BmcConnection;
  readonly dir: string;
  readonly vmi: { readonly host: string; readonly port: number };
  /** Defaults to the kind of the current key. */
  readonly keyKind?: KeyPairKind;
  /** Defaults to the current certificate's subject. */
  readonly subject?: string;
  /** Refuse a new root with another SHA-256 fingerprint. */
  readonly expectRoot?: string;
  readonly keepRoots?: number;
  readonly timeoutMs?: number;
}

export interface RenewResult {
  readonly subject: string;
  readonly notAfter: Date;
  readonly certificateFingerprint: string;
  readonly rootFingerprint: string;
  /** Whether the new certificate's root was pinned before this renew. */
  readonly rootWasPinned: boolean;
  readonly pinnedRoots: readonly string[];
  readonly previousDir: string;
  readonly greeting: string;
}

export async function renew(options: RenewOptions): Promise<RenewResult> {
  const [current, pins] = await Promise.all([readCredentials(options.dir), readPins(options.dir)]).catch((e: unknown) => {
    throw new EnrollError("credentials", `${(e as Error).message}; nothing to renew`);
  });
  const now = await describeCertificate(current.certPem);
  const keyKind = options.keyKind ?? (now.keyKind === "EC P-256" ? "p256" : "rsa2048");
  const next = await obtainCertificate(options.bmc, keyKind, options.subject ?? now.subject);
  const pin = await pinRoot(next.rootPem, options.expectRoot);
  const rootWasPinned = pins.some((p) => p.fingerprint === pin.fingerprint);

  const proof = await connectToVmi({
    ...options.vmi,
    dir: options.dir,
    identity: { certPem: next.certPem, keyPem: next.keyPem, trustedRootPems: [pin.pem, ...pins.map((p) => p.pem)] },
    timeoutMs: options.timeoutMs,
  });
  if (!proof.ok) {
    throw new EnrollError("proof", `the VMI did not accept the new certificate (${proof.reason}: ${proof.message}); the old credentials are kept`);
  }

  const previousDir = join(options.dir, "previous");
  await keepPrevious(options.dir, previousDir);
  const described = await describeCertificate(next.certPem);
  await writeCredentials(options.dir, next, {
    bmcUrl: options.bmc.url,
    subject: described.subject,
    rootFingerprint: pin.fingerprint,
    certificateFingerprint: described.sha256Fingerprint,
    enrolledAt: new Date().toISOString(),
  });
  const kept = withPin(pins, pin, options.keepRoots ?? DEFAULT_KEEP_ROOTS);
  await writePins(options.dir, kept);
  return {
    subject: described.subject,
    notAfter: described.notAfter,
    certificateFingerprint: described.sha256Fingerprint,
    rootFingerprint: pin.fingerprint,
    rootWasPinned,
    pinnedRoots: kept.map((p) => p.fingerprint),
    previousDir,
    greeting: proof.greeting,
  };
}

/** Copies the working set aside (replacing an older copy) before it is overwritten. */
async function keepPrevious(dir: string, previousDir: string): Promise<void> {
  const from = credentialPaths(dir);
  const to = credentialPaths(previousDir);
  await fs.rm(previousDir, { recursive: true, force: true });
  await fs.mkdir(join(previousDir, "client"), { recursive: true, mode: 0o700 });
  await fs.mkdir(join(previousDir, "ca"), { recursive: true });
  for (const key of ["clientKey", "clientCert", "rootCert", "enrollment"] as const) {
    await fs.copyFile(from[key], to[key]).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e;
    });
  }
}
