import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from "node:crypto";
import { KeyError, PemError } from "./errors.js";
import { decodeSinglePem, encodePem, type PemBlock } from "./pem.js";

// WebCrypto is node's own: making and exporting keys needs no x509 library.
const { subtle } = webcrypto;
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** The key pairs we make: the VMI's root and TLS server keys, and HMC keys in tests and tools. */
export type KeyPairKind = "rsa2048" | "p256";

/** A public key as people read it and as policy checks it. */
export type KeyKind = `RSA ${number}` | "EC P-256" | "EC P-384" | "EC P-521" | "Ed25519" | "Ed448" | `other ${string}`;

type SigningKeyAlgorithm = webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;

/**
 * RSA keys sign with RSASSA-PKCS1-v1_5 and SHA-256, not PSS: it is what `openssl req`
 * and `openssl x509 -req` write by default, and every TLS stack an HMC may run
 * (OpenSSL, Java, Go) accepts it in certificate signatures, including TLS 1.3.
 * The TLS handshake itself still uses PSS with the same rsaEncryption key.
 */
const GENERATE: Record<KeyPairKind, webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams> = {
  rsa2048: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  p256: { name: "ECDSA", namedCurve: "P-256" },
};

// RSA below 2048 bits is too weak for a client certificate; above 4096 is slow for no gain.
const RSA_MIN_BITS = 2048;
const RSA_MAX_BITS = 4096;

/** Keys are extractable: the VMI hands its root out and tools write keys to files. */
export async function generateKeyPair(kind: KeyPairKind): Promise<CryptoKeyPair> {
  return await subtle.generateKey(GENERATE[kind], true, ["sign", "verify"]);
}

/**
 * The WebCrypto algorithm we sign and verify with for a key of this kind, or
 * undefined when the kind is outside our policy (RSA 2048..4096, EC P-256/P-384).
 */
export function signingKeyAlgorithm(kind: KeyKind): SigningKeyAlgorithm | undefined {
  if (kind === "EC P-256") return { name: "ECDSA", namedCurve: "P-256" };
  if (kind === "EC P-384") return { name: "ECDSA", namedCurve: "P-384" };
  const rsaBits = Number(/^RSA (\d+)$/.exec(kind)?.[1]);
  if (rsaBits >= RSA_MIN_BITS && rsaBits <= RSA_MAX_BITS) return { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  return undefined;
}

/** The signature algorithm certificates and CSRs made with this key carry. */
export function signatureAlgorithmFor(privateKey: CryptoKey): webcrypto.RsaHashedImportParams | webcrypto.EcdsaParams {
  const algorithm = privateKey.algorithm as webcrypto.KeyAlgorithm & { namedCurve?: string };
  if (algorithm.name === "ECDSA") {
    return { name: "ECDSA", hash: algorithm.namedCurve === "P-384" ? "SHA-384" : "SHA-256" };
  }
  return { name: algorithm.name, hash: "SHA-256" };
}

function ecKind(curve: string): KeyKind {
  switch (curve) {
    case "P-256":
    case "prime256v1":
      return "EC P-256";
    case "P-384":
    case "secp384r1":
      return "EC P-384";
    case "P-521":
    case "secp521r1":
      return "EC P-521";
    default:
      return `other EC ${curve}`;
  }
}

/** The key in a SubjectPublicKeyInfo (a certificate's, a CSR's or WebCrypto's export), as node:crypto reads it. */
export function publicKeyFromSpki(spkiDer: Uint8Array | ArrayBuffer): KeyObject {
  return createPublicKey({ key: Buffer.from(spkiDer instanceof ArrayBuffer ? new Uint8Array(spkiDer) : spkiDer), format: "der", type: "spki" });
}

/** Kind of a public key, as node:crypto reads it from a certificate, a CSR or a private key. */
export function keyKindOf(key: KeyObject): KeyKind {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "rsa":
      return `RSA ${details.modulusLength ?? 0}`;
    case "ec":
      return ecKind(details.namedCurve ?? "");
    case "ed25519":
      return "Ed25519";
    case "ed448":
      return "Ed448";
    default:
      return `other ${key.asymmetricKeyType ?? "unknown"}`;
  }
}

// PKCS#8 is what openssl 3 writes; the two legacy labels still come from older tools.
const PRIVATE_KEY_FORMATS = { "PRIVATE KEY": "pkcs8", "RSA PRIVATE KEY": "pkcs1", "EC PRIVATE KEY": "sec1" } as const;
type PrivateKeyLabel = keyof typeof PRIVATE_KEY_FORMATS;

export async function exportPrivateKeyPem(privateKey: CryptoKey): Promise<string> {
  return encodePem("PRIVATE KEY", await subtle.exportKey("pkcs8", privateKey));
}

export async function exportPublicKeyPem(publicKey: CryptoKey): Promise<string> {
  return encodePem("PUBLIC KEY", await subtle.exportKey("spki", publicKey));
}

/**
 * Reads an unencrypted private key (PKCS#8, or legacy PKCS#1 / SEC1) and returns it
 * with its public half. Throws KeyError.
 */
export async function importPrivateKeyPem(pem: string): Promise<CryptoKeyPair & { kind: KeyKind }> {
  const labels = Object.keys(PRIVATE_KEY_FORMATS) as PrivateKeyLabel[];
  let block: PemBlock;
  try {
    block = decodeSinglePem(pem, labels);
  } catch (error) {
    throw error instanceof PemError ? new KeyError("not-pem", error.message) : error;
  }
  const label = block.label as PrivateKeyLabel;
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: Buffer.from(block.der), format: "der", type: PRIVATE_KEY_FORMATS[label] });
  } catch (error) {
    throw new KeyError("bad-der", `${label} is not a readable key: ${(error as Error).message}`);
  }
  const kind = keyKindOf(keyObject);
  const algorithm = signingKeyAlgorithm(kind);
  if (algorithm === undefined) {
    throw new KeyError("unsupported-key", `${kind} keys are not supported (RSA 2048..4096, EC P-256/P-384)`);
  }
  const pkcs8 = keyObject.export({ type: "pkcs8", format: "der" });
  const spki = createPublicKey(keyObject).export({ type: "spki", format: "der" });
  const [privateKey, publicKey] = await Promise.all([
    subtle.importKey("pkcs8", pkcs8, algorithm, true, ["sign"]),
    subtle.importKey("spki", spki, algorithm, true, ["verify"]),
  ]);
  return { privateKey, publicKey, kind };
}
