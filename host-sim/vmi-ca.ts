/**
 * The VMI certificate authority: at each boot a new key and self-signed root, then
 * client certificates for the CSRs the BMC brings. A CSR that fails to parse or
 * verify is refused with its reason.
 */
import {
  createRootCa,
  fingerprintSha256,
  generateKeyPair,
  issueClientCertificate,
  issueServerCertificate,
  exportPrivateKeyPem,
  parseCsr,
  type CertificateAuthority,
  type KeyPairKind,
} from "../src/x509/index.js";

export interface VmiCaSettings {
  keyKind: KeyPairKind;
  rootValidityDays: number;
  clientValidityDays: number;
}

export const DEFAULT_VMI_CA_SETTINGS: VmiCaSettings = { keyKind: "rsa2048", rootValidityDays: 3650, clientValidityDays: 365 };

export interface VmiBoot {
  ca: CertificateAuthority;
  rootPem: string;
  rootFingerprint: string;
  /** For the VMI TLS endpoint: a server certificate issued by this boot's root. */
  server: { certPem: string; keyPem: string };
}

export class VmiCa {
  private boot: VmiBoot | null = null;

  constructor(private readonly settings: VmiCaSettings = DEFAULT_VMI_CA_SETTINGS) {}

  get current(): VmiBoot | null {
    return this.boot;
  }

  /** A new root key and certificate, as the VMI makes at every power on. */
  async newRoot(bootNumber: number): Promise<VmiBoot> {
    const keys = await generateKeyPair(this.settings.keyKind);
    const rootPem = await createRootCa({ keys, subject: `CN=VMI CA boot ${bootNumber},O=pldm-hostbridge host-sim`, validityDays: this.settings.rootValidityDays });
    const ca: CertificateAuthority = { cert: rootPem, keys };
    const serverKeys = await generateKeyPair(this.settings.keyKind);
    const server = {
      certPem: await issueServerCertificate({ ca, keys: serverKeys, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], validityDays: this.settings.rootValidityDays }),
      keyPem: await exportPrivateKeyPem(serverKeys.privateKey),
    };
    this.boot = { ca, rootPem, rootFingerprint: await fingerprintSha256(rootPem), server };
    return this.boot;
  }

  /** Signs a CSR (PEM text); throws CsrError for a malformed or forged one. */
  async sign(csrText: string): Promise<string> {
    if (!this.boot) throw new Error("the VMI CA has not booted");
    const csr = await parseCsr(csrText);
    return issueClientCertificate({ ca: this.boot.ca, csr, validityDays: this.settings.clientValidityDays });
  }
}
