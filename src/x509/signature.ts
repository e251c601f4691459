/**
 * Checks a signature named by an X.509 AlgorithmIdentifier, with node:crypto (OpenSSL).
 * For CSRs: node reads certificates itself, but has no PKCS#10 reader. The algorithms are
 * those OpenSSL and the HMC's tools write: RSA PKCS#1 v1.5 and PSS, ECDSA, EdDSA.
 */
import { constants, verify, type KeyObject } from "node:crypto";
import { contextTag, DerError, readOid, sequenceOf, Tag, type DerNode } from "./der.js";

class UnsupportedAlgorithmError extends Error {
  override readonly name = "UnsupportedAlgorithmError";
}

const HASHES: Readonly<Record<string, string>> = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.4": "sha224",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};

/** Signature algorithm OID: the hash it uses (null: the algorithm hashes itself) and the key type it needs. */
const SIGNATURES: Readonly<Record<string, { hash: string | null; key: string }>> = {
  "1.2.840.113549.1.1.5": { hash: "sha1", key: "rsa" },
  "1.2.840.113549.1.1.14": { hash: "sha224", key: "rsa" },
  "1.2.840.113549.1.1.11": { hash: "sha256", key: "rsa" },
  "1.2.840.113549.1.1.12": { hash: "sha384", key: "rsa" },
  "1.2.840.113549.1.1.13": { hash: "sha512", key: "rsa" },
  "1.2.840.10045.4.1": { hash: "sha1", key: "ec" },
  "1.2.840.10045.4.3.1": { hash: "sha224", key: "ec" },
  "1.2.840.10045.4.3.2": { hash: "sha256", key: "ec" },
  "1.2.840.10045.4.3.3": { hash: "sha384", key: "ec" },
  "1.2.840.10045.4.3.4": { hash: "sha512", key: "ec" },
  "1.3.101.112": { hash: null, key: "ed25519" },
  "1.3.101.113": { hash: null, key: "ed448" },
};

const RSASSA_PSS = "1.2.840.113549.1.1.10";
const MGF1 = "1.2.840.113549.1.1.8";

/**
 * Whether `signature` over `data` verifies with `key` under `algorithm` (an AlgorithmIdentifier).
 * Throws UnsupportedAlgorithmError for an algorithm outside the list or not for this key,
 * DerError for parameters that do not decode.
 */
export function verifySignature(algorithm: DerNode, data: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  const [oidNode, parameters, ...rest] = sequenceOf(algorithm, "signature algorithm");
  if (rest.length > 0) throw new DerError("signature algorithm has more than an id and parameters");
  const oid = readOid(oidNode, "signature algorithm");
  if (oid === RSASSA_PSS) return verifyPss(parameters, data, signature, key);
  const known = SIGNATURES[oid];
  if (known === undefined) throw new UnsupportedAlgorithmError(`signature algorithm ${oid} is not supported`);
  if (key.asymmetricKeyType !== known.key) throw new UnsupportedAlgorithmError(`signature algorithm ${oid} does not fit a ${key.asymmetricKeyType} key`);
  // RSA PKCS#1 allows NULL parameters; ECDSA and EdDSA have none.
  if (parameters !== undefined && !(known.key === "rsa" && parameters.tag === Tag.null && parameters.content.length === 0)) {
    throw new DerError(`signature algorithm ${oid} has parameters it does not take`);
  }
  return verify(known.hash, data, known.key === "ec" ? { key, dsaEncoding: "der" } : key, signature);
}

/** RSASSA-PSS (RFC 4055): the hash, MGF1 with the same hash (all node offers), the salt length, trailer 1. */
function verifyPss(parameters: DerNode | undefined, data: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  if (key.asymmetricKeyType !== "rsa" && key.asymmetricKeyType !== "rsa-pss") throw new UnsupportedAlgorithmError("RSASSA-PSS needs an RSA key");
  let hash = "sha1";
  let mgfHash = "sha1";
  let saltLength = 20;
  for (const field of parameters === undefined ? [] : sequenceOf(parameters, "RSASSA-PSS parameters")) {
    const [inner, ...more] = sequenceOf(field, "RSASSA-PSS parameter", field.tag);
    if (inner === undefined || more.length > 0) throw new DerError("an RSASSA-PSS parameter is not one value");
    if (field.tag === contextTag(0)) hash = hashOf(inner);
    else if (field.tag === contextTag(1)) {
      const [mgf, mgfHashAlgorithm] = sequenceOf(inner, "mask generation function");
      if (readOid(mgf, "mask generation function") !== MGF1) throw new UnsupportedAlgorithmError("RSASSA-PSS with a mask generation function other than MGF1");
      if (mgfHashAlgorithm === undefined) throw new DerError("MGF1 names no hash");
      mgfHash = hashOf(mgfHashAlgorithm);
    } else if (field.tag === contextTag(2)) saltLength = smallInteger(inner, "salt length");
    else if (field.tag === contextTag(3)) {
      if (smallInteger(inner, "trailer field") !== 1) throw new UnsupportedAlgorithmError("RSASSA-PSS trailer field other than 1");
    } else throw new DerError(`RSASSA-PSS parameter with tag 0x${field.tag.toString(16)}`);
  }
  if (mgfHash !== hash) throw new UnsupportedAlgorithmError(`RSASSA-PSS with MGF1-${mgfHash} under ${hash}`);
  return verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
}

function hashOf(algorithm: DerNode): string {
  const oid = readOid(sequenceOf(algorithm, "hash algorithm")[0], "hash algorithm");
  const hash = HASHES[oid];
  if (hash === undefined) throw new UnsupportedAlgorithmError(`hash algorithm ${oid} is not supported`);
  return hash;
}

function smallInteger(node: DerNode, what: string): number {
  if (node.tag !== Tag.integer || node.content.length === 0 || node.content.length > 4 || (node.content[0]! & 0x80) !== 0) {
    throw new DerError(`${what} is not a small non-negative INTEGER`);
  }
  return node.content.reduce((value, byte) => value * 256 + byte, 0);
}
