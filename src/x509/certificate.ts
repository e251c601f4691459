/**
 * Certificates read with node:crypto, that is OpenSSL, as bmcweb and bmc-vmi-ca read them,
 * plus the DER walker for what node does not expose (keyUsage bits, key identifiers, names
 * as encoded). Both must accept the bytes. No @peculiar/x509 here: the daemon checks every
 * certificate without loading it (docs/decisions.md).
 */
import { createHash, X509Certificate, type KeyObject } from "node:crypto";
import { contextTag, DerError, readBitString, readBoolean, readNode, readOid, readSingle, readTime, sequenceOf, Tag, type DerNode } from "./der.js";
import { CertificateError, PemError } from "./errors.js";
import { publicKeyFromSpki } from "./keys.js";
import { nameToString } from "./name.js";
import { decodeSinglePem } from "./pem.js";

export const CERTIFICATE_LABEL = "CERTIFICATE";

/** RFC 5280's keyUsage bits, by their position in the BIT STRING. */
export const KeyUsage = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

export const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

const EXTENSION = {
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extendedKeyUsage: "2.5.29.37",
  subjectKeyId: "2.5.29.14",
  authorityKeyId: "2.5.29.35",
} as const;
const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set(Object.values(EXTENSION));

export interface Certificate {
  readonly der: Uint8Array;
  readonly subject: string;
  readonly issuer: string;
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Upper-case hex, as `openssl x509 -serial` prints it. */
  readonly serialNumber: string;
  readonly spkiDer: Uint8Array;
  readonly publicKey: KeyObject;
  /** basicConstraints CA:TRUE. */
  readonly isCa: boolean;
  /** Whether keyUsage allows `bit`; undefined when the certificate has no keyUsage. */
  readonly keyUsage: ((bit: number) => boolean) | undefined;
  /** The extendedKeyUsage purposes (dotted OIDs), or undefined without the extension. */
  readonly extendedKeyUsage: readonly string[] | undefined;
  /** Lower-case hex; undefined without the extension. */
  readonly subjectKeyId: string | undefined;
  readonly authorityKeyId: string | undefined;
  /** Whether OpenSSL finds the certificate's signature made by `publicKey`'s private half. */
  signedBy(publicKey: KeyObject): boolean;
}

/** Decodes the one certificate in `pem`. Throws CertificateError. */
export function readCertificate(pem: string): Certificate {
  let der: Uint8Array;
  try {
    der = decodeSinglePem(pem, [CERTIFICATE_LABEL]).der;
  } catch (error) {
    throw error instanceof PemError ? new CertificateError("not-pem", error.message) : error;
  }
  try {
    return decodeCertificate(der);
  } catch (error) {
    throw new CertificateError("bad-der", `not an X.509 certificate: ${(error as Error).message}`);
  }
}

function decodeCertificate(der: Uint8Array): Certificate {
  const [tbs, signatureAlgorithm, signature, ...extra] = sequenceOf(readSingle(der, "certificate"), "certificate");
  if (extra.length > 0 || signature === undefined) throw new DerError("a certificate is a TBSCertificate, an algorithm and a signature");
  readOid(sequenceOf(signatureAlgorithm, "signature algorithm")[0], "signature algorithm");
  readBitString(signature, "signature");
  const fields = sequenceOf(tbs, "TBSCertificate");
  // version [0] is optional (v1); then serial, signature, issuer, validity, subject, SPKI, then optional fields.
  const at = fields[0]?.tag === contextTag(0) ? 1 : 0;
  const [serial, , issuer, validity, subject, spki, ...optional] = fields.slice(at);
  expectSerial(serial);
  const [notBefore, notAfter, ...moreTimes] = sequenceOf(validity, "validity");
  if (moreTimes.length > 0) throw new DerError("validity has more than two times");
  if (spki === undefined || issuer === undefined || subject === undefined) throw new DerError("TBSCertificate is missing fields");
  const extensions = readExtensions(optional.find((n) => n.tag === contextTag(3)));
  // OpenSSL must accept it too: it checks what the walker leaves alone (key encodings, algorithm parameters).
  const openssl = new X509Certificate(der);
  const publicKey = publicKeyFromSpki(spki.bytes);
  const usage = extensions.get(EXTENSION.keyUsage);
  return {
    der,
    subject: nameToString(subject),
    issuer: nameToString(issuer),
    subjectDer: subject.bytes,
    issuerDer: issuer.bytes,
    notBefore: readTime(notBefore, "notBefore"),
    notAfter: readTime(notAfter, "notAfter"),
    serialNumber: openssl.serialNumber.toUpperCase(),
    spkiDer: spki.bytes,
    publicKey,
    isCa: basicConstraintsCa(extensions.get(EXTENSION.basicConstraints)),
    keyUsage: usage === undefined ? undefined : keyUsageOf(usage),
    extendedKeyUsage: extensions.has(EXTENSION.extendedKeyUsage)
      ? sequenceOf(extensions.get(EXTENSION.extendedKeyUsage), "extendedKeyUsage").map((purpose) => readOid(purpose, "key purpose"))
      : undefined,
    subjectKeyId: optionalHex(extensions.get(EXTENSION.subjectKeyId), (n) => expectOctets(n, "subjectKeyIdentifier")),
    authorityKeyId: optionalHex(extensions.get(EXTENSION.authorityKeyId), authorityKeyIdOf),
    signedBy: (key) => {
      try {
        return openssl.verify(key);
      } catch {
        return false;
      }
    },
  };
}

function expectSerial(node: DerNode | undefined): void {
  if (node?.tag !== Tag.integer || node.content.length === 0) throw new DerError("serialNumber is not an INTEGER");
}

/** Each extension's value (the node inside its OCTET STRING), by OID; a repeated extension is an error (RFC 5280 4.2). */
function readExtensions(explicit: DerNode | undefined): Map<string, DerNode> {
  const out = new Map<string, DerNode>();
  const seen = new Set<string>();
  if (explicit === undefined) return out;
  const [list, ...rest] = sequenceOf(explicit, "extensions", contextTag(3));
  if (rest.length > 0) throw new DerError("[3] holds more than the extensions");
  for (const extension of sequenceOf(list, "extensions")) {
    const parts = sequenceOf(extension, "extension");
    const oid = readOid(parts[0], "extension id");
    if (parts.length === 3) readBoolean(parts[1], "extension critical flag");
    else if (parts.length !== 2) throw new DerError(`extension ${oid} is not an id, a flag and a value`);
    const value = expectOctets(parts[parts.length - 1], `extension ${oid}`);
    if (seen.has(oid)) throw new DerError(`extension ${oid} appears twice`);
    seen.add(oid);
    // Only the extensions we read are decoded; others stay opaque, as OpenSSL leaves them.
    if (KNOWN_EXTENSIONS.has(oid)) out.set(oid, readSingle(value, `extension ${oid} value`));
  }
  return out;
}

function expectOctets(node: DerNode | undefined, what: string): Uint8Array {
  if (node?.tag !== Tag.octetString) throw new DerError(`${what} is not an OCTET STRING`);
  return node.content;
}

function basicConstraintsCa(node: DerNode | undefined): boolean {
  if (node === undefined) return false;
  const [first] = sequenceOf(node, "basicConstraints");
  return first?.tag === Tag.boolean ? readBoolean(first, "basicConstraints cA") : false;
}

function keyUsageOf(node: DerNode): (bit: number) => boolean {
  const { bytes } = readBitString(node, "keyUsage");
  return (bit) => ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0;
}

/** The keyIdentifier [0] of an authorityKeyIdentifier. */
function authorityKeyIdOf(node: DerNode): Uint8Array | undefined {
  const [first] = sequenceOf(node, "authorityKeyIdentifier");
  return first?.tag === 0x80 ? first.content : undefined;
}

function optionalHex(node: DerNode | undefined, read: (n: DerNode) => Uint8Array | undefined): string | undefined {
  const bytes = node === undefined ? undefined : read(node);
  return bytes === undefined ? undefined : Buffer.from(bytes).toString("hex");
}

/** The Subject Key Identifier the certificate carries, or RFC 5280's method 1: SHA-1 of the key's bits. */
export function subjectKeyId(certificate: Certificate): string {
  if (certificate.subjectKeyId !== undefined) return certificate.subjectKeyId;
  const [, subjectPublicKey] = sequenceOf(readNode(certificate.spkiDer), "SubjectPublicKeyInfo");
  return createHash("sha1").update(readBitString(subjectPublicKey, "subjectPublicKey").bytes).digest("hex");
}
