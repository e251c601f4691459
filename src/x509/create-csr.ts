/** Making CSRs (the HMC's side): @peculiar/x509 writes them; csr.ts reads them. */
import { CSR_LABEL } from "./csr.js";
import { signatureAlgorithmFor, type CryptoKeyPair } from "./keys.js";
import { encodePem } from "./pem.js";
import { x509 } from "./provider.js";

export interface CreateCsrOptions {
  readonly keys: CryptoKeyPair;
  /** e.g. "CN=hmc,O=IBM", in the order the attributes are to be encoded (as openssl's -subj). */
  readonly subject: string;
}

export async function createCsr({ keys, subject }: CreateCsrOptions): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: signatureAlgorithmFor(keys.privateKey),
  });
  return encodePem(CSR_LABEL, csr.rawData);
}
