/**
 * The HMC's credential folder: DIR/ca/cert.pem (the VMI root), DIR/client/cert.pem and
 * DIR/client/key.pem (0600), and DIR/enrollment.json remembering which root the last
 * enroll saw, so a new one (the VMI rebooted) is noticed.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../os/files.js";

export interface CredentialPaths {
  readonly rootCert: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly enrollment: string;
}

export function credentialPaths(dir: string): CredentialPaths {
  return {
    rootCert: join(dir, "ca", "cert.pem"),
    clientCert: join(dir, "client", "cert.pem"),
    clientKey: join(dir, "client", "key.pem"),
    enrollment: join(dir, "enrollment.json"),
  };
}

/** What enroll remembers between runs. */
export interface EnrollmentRecord {
  readonly bmcUrl: string;
  readonly subject: string;
  readonly rootFingerprint: string;
  readonly certificateFingerprint: string;
  readonly enrolledAt: string;
}

export interface Credentials {
  readonly rootPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export async function readEnrollment(dir: string): Promise<EnrollmentRecord | null> {
  try {
    const record = JSON.parse(await fs.readFile(credentialPaths(dir).enrollment, "utf8")) as Partial<EnrollmentRecord>;
    return typeof record.rootFingerprint === "string" ? (record as EnrollmentRecord) : null;
  } catch {
    // A missing or unreadable record only means there is nothing to compare with.
    return null;
  }
}

/** Key first, 0600 from the start; each file replaced atomically. */
export async function writeCredentials(dir: string, credentials: Credentials, record: EnrollmentRecord): Promise<CredentialPaths> {
  const paths = credentialPaths(dir);
  await fs.mkdir(join(dir, "ca"), { recursive: true });
  await fs.mkdir(join(dir, "client"), { recursive: true, mode: 0o700 });
  await writeFileAtomic(paths.clientKey, credentials.keyPem, 0o600);
  await writeFileAtomic(paths.clientCert, credentials.certPem, 0o644);
  await writeFileAtomic(paths.rootCert, credentials.rootPem, 0o644);
  await writeFileAtomic(paths.enrollment, `${JSON.stringify(record, null, 2)}\n`, 0o644);
  return paths;
}

/** Reads the three PEM files, naming the one that is missing. */
export async function readCredentials(dir: string): Promise<Credentials> {
  const paths = credentialPaths(dir);
  const read = (path: string) =>
    fs.readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new Error(`${path}: ${error.code === "ENOENT" ? "missing (run hostbridge hmc enroll first)" : error.message}`);
    });
  const [rootPem, certPem, keyPem] = await Promise.all([read(paths.rootCert), read(paths.clientCert), read(paths.clientKey)]);
  return { rootPem, certPem, keyPem };
}
