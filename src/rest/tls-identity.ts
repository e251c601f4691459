/**
 * The BMC's HTTPS identity: a small self-signed CA and a server certificate from it,
 * made on first run and kept in `<stateDir>/tls/`. Clients trust `ca.pem` once and
 * keep trusting the server across restarts; a certificate that no longer covers the
 * listen address or is about to expire is made anew.
 */
import { X509Certificate } from "node:crypto";
import { promises as fs } from "node:fs";
import { hostname } from "node:os";
import { isIP } from "node:net";
import { join } from "node:path";
import type { Logger } from "../log.js";
import { writeFileAtomic } from "../os/files.js";
import { createRootCa, exportPrivateKeyPem, generateKeyPair, issueServerCertificate } from "../x509/index.js";

export interface TlsIdentity {
  /** The CA that signed the server certificate: what `curl --cacert` wants. */
  readonly caPath: string;
  readonly caPem: string;
  /** Server certificate followed by the CA, as the TLS server presents it. */
  readonly certChainPem: string;
  readonly keyPem: string;
}

const VALIDITY_DAYS = 3650;
const RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;
const WILDCARD_ADDRESSES = new Set(["0.0.0.0", "::", ""]);

/** The names the server certificate must carry to be valid for a client reaching `listenHost`. */
export function serverNames(listenHost: string, extra: readonly string[]): { dnsNames: string[]; ipAddresses: string[] } {
  const all = new Set(["localhost", hostname(), "127.0.0.1", "::1", ...extra]);
  if (!WILDCARD_ADDRESSES.has(listenHost)) all.add(listenHost);
  const names = [...all].filter((name) => name !== "");
  return { dnsNames: names.filter((name) => isIP(name) === 0), ipAddresses: names.filter((name) => isIP(name) !== 0) };
}

export async function loadOrCreateTlsIdentity(stateDir: string, listenHost: string, extraNames: readonly string[], log: Logger): Promise<TlsIdentity> {
  const dir = join(stateDir, "tls");
  const paths = { ca: join(dir, "ca.pem"), cert: join(dir, "server.pem"), key: join(dir, "server-key.pem") };
  const names = serverNames(listenHost, extraNames);
  const existing = await readExisting(paths);
  if (existing !== undefined && stillFits(existing.cert, names)) {
    return { caPath: paths.ca, caPem: existing.ca, certChainPem: existing.cert + existing.ca, keyPem: existing.key };
  }
  log.info({ dir, ...names }, existing ? "BMC TLS certificate no longer fits; making a new one" : "making the BMC TLS certificate");
  const [caKeys, serverKeys] = await Promise.all([generateKeyPair("p256"), generateKeyPair("p256")]);
  const ca = { cert: await createRootCa({ keys: caKeys, subject: `CN=hostbridge BMC CA ${hostname()},O=OpenBMC`, validityDays: VALIDITY_DAYS }), keys: caKeys };
  const cert = await issueServerCertificate({ ca, keys: serverKeys, ...names, subject: `CN=${hostname()},O=OpenBMC`, validityDays: VALIDITY_DAYS });
  const key = await exportPrivateKeyPem(serverKeys.privateKey);
  // The CA key is not kept: nothing else is ever signed with it.
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(paths.key, key, 0o600);
  await writeFileAtomic(paths.cert, cert, 0o644);
  await writeFileAtomic(paths.ca, ca.cert, 0o644);
  return { caPath: paths.ca, caPem: ca.cert, certChainPem: cert + ca.cert, keyPem: key };
}

async function readExisting(paths: { ca: string; cert: string; key: string }): Promise<{ ca: string; cert: string; key: string } | undefined> {
  try {
    const [ca, cert, key] = await Promise.all([paths.ca, paths.cert, paths.key].map((path) => fs.readFile(path, "utf8")));
    return ca !== undefined && cert !== undefined && key !== undefined ? { ca, cert, key } : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function stillFits(certPem: string, names: { dnsNames: string[]; ipAddresses: string[] }): boolean {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
  } catch {
    return false;
  }
  if (Date.parse(certificate.validTo) - Date.now() < RENEW_BEFORE_MS) return false;
  return names.ipAddresses.every((ip) => certificate.checkIP(ip) !== undefined) && names.dnsNames.every((dns) => certificate.checkHost(dns) !== undefined);
}
