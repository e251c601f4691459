/**
 * Reading and checking security material, without @peculiar/x509: what the daemon, the hooks
 * and the REST front need. node:crypto (OpenSSL) reads keys, certificates and signatures; a
 * small DER walker reads the rest. index.ts adds making certificates and CSRs.
 */
export { CertificateError, CsrError, KeyError, PemError, X509Error } from "./errors.js";
export type { CertificateErrorReason, CsrErrorReason, KeyErrorReason, PemErrorReason } from "./errors.js";
export { decodeSinglePem, encodePem, splitPemBlocks, type PemBlock } from "./pem.js";
export { exportPrivateKeyPem, exportPublicKeyPem, generateKeyPair, importPrivateKeyPem, type KeyKind, type KeyPairKind } from "./keys.js";
export type { CryptoKey, CryptoKeyPair } from "./keys.js";
export { parseCsr, MAX_CSR_BYTES, type ParsedCsr } from "./csr.js";
export { fingerprintSha256, normalizeSha256Fingerprint } from "./fingerprint.js";
export { certificateMatchesKey, describeCertificate, describeCsr, type CertificateDescription, type CsrDescription } from "./inspect.js";
export { verifyChain, type ChainFailure, type ChainVerdict } from "./verify.js";
export { isBoundToCsr, validateRoot, verifyIssuedCertificate, type IssuedFailure, type RootFailure, type Verdict } from "./trust.js";
