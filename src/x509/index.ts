export { CertificateError, CsrError, KeyError, PemError, X509Error } from "./errors.js";
export type { CertificateErrorReason, CsrErrorReason, KeyErrorReason, PemErrorReason } from "./errors.js";
export { decodeSinglePem, encodePem, splitPemBlocks, type PemBlock } from "./pem.js";
export { exportPrivateKeyPem, exportPublicKeyPem, generateKeyPair, importPrivateKeyPem, type KeyKind, type KeyPairKind } from "./keys.js";
export type { CryptoKey, CryptoKeyPair } from "./provider.js";
export { createCsr, parseCsr, MAX_CSR_BYTES, type CreateCsrOptions, type ParsedCsr } from "./csr.js";
export {
  createRootCa,
  issueClientCertificate,
  issueServerCertificate,
  type CertificateAuthority,
  type CreateRootCaOptions,
  type IssueClientCertificateOptions,
  type IssueServerCertificateOptions,
} from "./issue.js";
export { fingerprintSha256, normalizeSha256Fingerprint } from "./fingerprint.js";
export { certificateMatchesKey, describeCertificate, describeCsr, type CertificateDescription, type CsrDescription } from "./inspect.js";
export { verifyChain, type ChainFailure, type ChainVerdict } from "./verify.js";
export { isBoundToCsr, validateRoot, verifyIssuedCertificate, type IssuedFailure, type RootFailure, type Verdict } from "./trust.js";
