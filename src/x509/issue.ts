/** Issuing certificates (the VMI CA's side): @peculiar/x509 writes them; certificate.ts reads them. */
import { webcrypto } from "node:crypto";
import { CERTIFICATE_LABEL, readCertificate, subjectKeyId, type Certificate } from "./certificate.js";
import type { ParsedCsr } from "./csr.js";
import { CertificateError } from "./errors.js";
import { keyKindOf, publicKeyFromSpki, signatureAlgorithmFor, type CryptoKeyPair } from "./keys.js";
import { encodePem } from "./pem.js";
import { x509 } from "./provider.js";

const DAY_MS = 24 * 60 * 60 * 1000;
// Certificates start a little in the past so an HMC whose clock lags the VMI's accepts them at once.
const BACKDATE_MS = 5 * 60 * 1000;

/** A signing CA: its certificate (PEM) and the key pair the certificate is for. */
export interface CertificateAuthority {
  readonly cert: string;
  readonly keys: CryptoKeyPair;
}

interface Validity {
  readonly validityDays: number;
  /** Issue time in ms since the epoch, as `Clock.now()` gives it; defaults to the wall clock. */
  readonly now?: number;
}

export interface CreateRootCaOptions extends Validity {
  readonly keys: CryptoKeyPair;
  /** e.g. "CN=VMI CA,O=IBM", in encoding order. */
  readonly subject: string;
}

export interface IssueClientCertificateOptions extends Validity {
  readonly ca: CertificateAuthority;
  readonly csr: ParsedCsr;
}

export interface IssueServerCertificateOptions extends Validity {
  readonly ca: CertificateAuthority;
  /** The server's key pair; only its public half goes into the certificate. */
  readonly keys: CryptoKeyPair;
  readonly dnsNames: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** Defaults to "CN=<first DNS name>". */
  readonly subject?: string;
}

/** A self-signed CA certificate, as the VMI makes at each boot. */
export async function createRootCa({ keys, subject, validityDays, now }: CreateRootCaOptions): Promise<string> {
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: subject,
    keys,
    serialNumber: randomSerialHex(),
    ...validityWindow(validityDays, now),
    signingAlgorithm: signatureAlgorithmFor(keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return encodePem(CERTIFICATE_LABEL, certificate.rawData);
}

/** The VMI's answer to a CSR: a TLS client certificate for the CSR's subject and key. */
export async function issueClientCertificate({ ca, csr, validityDays, now }: IssueClientCertificateOptions): Promise<string> {
  return issueLeaf(ca, {
    subject: new x509.Name(csr.subjectDer),
    publicKeySpkiDer: csr.publicKeySpkiDer,
    usage: x509.ExtendedKeyUsage.clientAuth,
    extensions: [],
    validityDays,
    now,
  });
}

/** The certificate the VMI's TLS endpoint presents. */
export async function issueServerCertificate(options: IssueServerCertificateOptions): Promise<string> {
  const { ca, keys, dnsNames, ipAddresses = [], validityDays, now } = options;
  const names = [...dnsNames.map((value) => ({ type: "dns" as const, value })), ...ipAddresses.map((value) => ({ type: "ip" as const, value }))];
  if (names.length === 0) throw new RangeError("a server certificate needs at least one DNS name or IP address");
  return issueLeaf(ca, {
    subject: new x509.Name(options.subject ?? `CN=${dnsNames[0] ?? ipAddresses[0]}`),
    publicKeySpkiDer: new Uint8Array(await webcrypto.subtle.exportKey("spki", keys.publicKey)),
    usage: x509.ExtendedKeyUsage.serverAuth,
    extensions: [new x509.SubjectAlternativeNameExtension(names)],
    validityDays,
    now,
  });
}

export interface CrossCertifyRootOptions extends Validity {
  /** The CA that vouches: the previous root, whose key still signs during a roll-over. */
  readonly ca: CertificateAuthority;
  /** The new root (self-signed): its subject and key go into the cross certificate. */
  readonly rootPem: string;
}

/**
 * A cross certificate for a new root, issued by the previous one (RFC 4210's
 * "newWithOld"): a peer that trusts only the previous root can still build a chain to
 * the new root's certificates while both are honoured.
 */
export async function crossCertifyRoot({ ca, rootPem, validityDays, now }: CrossCertifyRootOptions): Promise<string> {
  const caCertificate = readCertificate(ca.cert);
  await assertKeyMatches(caCertificate, ca.keys);
  const root = readCertificate(rootPem);
  const certificate = await x509.X509CertificateGenerator.create({
    subject: new x509.Name(root.subjectDer),
    issuer: new x509.Name(caCertificate.subjectDer),
    publicKey: new x509.PublicKey(root.spkiDer),
    signingKey: ca.keys.privateKey,
    serialNumber: randomSerialHex(),
    ...validityWindow(validityDays, now),
    signingAlgorithm: signatureAlgorithmFor(ca.keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.SubjectKeyIdentifierExtension(subjectKeyId(root)),
      new x509.AuthorityKeyIdentifierExtension(subjectKeyId(caCertificate)),
    ],
  });
  return encodePem(CERTIFICATE_LABEL, certificate.rawData);
}

interface LeafContent extends Validity {
  readonly subject: x509.Name;
  readonly publicKeySpkiDer: Uint8Array;
  readonly usage: x509.ExtendedKeyUsage;
  readonly extensions: readonly x509.Extension[];
}

async function issueLeaf(ca: CertificateAuthority, leaf: LeafContent): Promise<string> {
  const caCertificate = readCertificate(ca.cert);
  await assertKeyMatches(caCertificate, ca.keys);
  const publicKey = new x509.PublicKey(leaf.publicKeySpkiDer);
  // keyEncipherment only means something for RSA (TLS 1.2 RSA key transport); EC keys only sign.
  const keyUsage = keyKindOf(publicKeyFromSpki(leaf.publicKeySpkiDer)).startsWith("RSA ")
    ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
    : x509.KeyUsageFlags.digitalSignature;
  const certificate = await x509.X509CertificateGenerator.create({
    subject: leaf.subject,
    issuer: new x509.Name(caCertificate.subjectDer),
    publicKey,
    signingKey: ca.keys.privateKey,
    serialNumber: randomSerialHex(),
    ...validityWindow(leaf.validityDays, leaf.now),
    signingAlgorithm: signatureAlgorithmFor(ca.keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(keyUsage, true),
      new x509.ExtendedKeyUsageExtension([leaf.usage]),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      new x509.AuthorityKeyIdentifierExtension(subjectKeyId(caCertificate)),
      ...leaf.extensions,
    ],
  });
  return encodePem(CERTIFICATE_LABEL, certificate.rawData);
}

async function assertKeyMatches(certificate: Certificate, keys: CryptoKeyPair): Promise<void> {
  const keySpki = new Uint8Array(await webcrypto.subtle.exportKey("spki", keys.publicKey));
  if (!Buffer.from(keySpki).equals(certificate.spkiDer)) {
    throw new CertificateError("ca-key-mismatch", `the CA key pair is not the one certified in ${certificate.subject}`);
  }
}

function validityWindow(validityDays: number, now = Date.now()): { notBefore: Date; notAfter: Date } {
  if (!(validityDays > 0)) throw new RangeError(`validityDays must be positive, got ${validityDays}`);
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + validityDays * DAY_MS) };
}

/**
 * 16 random bytes, the top bit cleared so the DER INTEGER is positive and the next
 * bit set so it has no leading zero octet: 126 random bits, the length fixed at 16.
 */
function randomSerialHex(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return Buffer.from(bytes).toString("hex");
}
