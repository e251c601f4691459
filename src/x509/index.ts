export * from "./checks.js";
export { createCsr, type CreateCsrOptions } from "./create-csr.js";
export {
  createRootCa,
  issueClientCertificate,
  issueServerCertificate,
  type CertificateAuthority,
  type CreateRootCaOptions,
  type IssueClientCertificateOptions,
  type IssueServerCertificateOptions,
} from "./issue.js";
