/**
 * The VMI certificate authority: at each boot a new key and self-signed root, then
 * client certificates for the CSRs the BMC brings. A CSR that fails to parse or
 * verify is refused with its reason. With a root grace, the previous roots stay
 * honoured for some boots or seconds after a reboot: the new root is cross-certified
 * by the previous one, so an HMC that still pins only the old root can renew.
 */
import { crossCertifyRoot } from "../src/x509/issue.js";
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

/** How long a replaced root is still honoured: for this many later boots, or seconds after its replacement. */
export type RootGrace = { readonly boots: number } | { readonly seconds: number };

export interface VmiCaSettings {
  keyKind: KeyPairKind;
  rootValidityDays: number;
  clientValidityDays: number;
  /** None (0 boots) unless given. */
  rootGrace?: RootGrace;
}

const NO_GRACE: RootGrace = { boots: 0 };

export const DEFAULT_VMI_CA_SETTINGS: VmiCaSettings = { keyKind: "rsa2048", rootValidityDays: 3650, clientValidityDays: 365, rootGrace: NO_GRACE };

/** "2boots", "1boot", "30s" or "30" (seconds). */
export function parseRootGrace(text: string): RootGrace {
  const match = /^(\d{1,9})(s|boots?)?$/.exec(text.trim());
  if (!match) throw new RangeError(`root grace "${text}": expected N (seconds), Ns or Nboots`);
  const n = Number(match[1]);
  return match[2]?.startsWith("boot") ? { boots: n } : { seconds: n };
}

/** What the VMI's TLS endpoint trusts and presents at one moment. */
export interface VmiTrust {
  /** Roots whose client certificates are accepted: the current one first. */
  readonly clientRoots: readonly string[];
  /** The server certificate, then the cross certificates down to the oldest honoured root. */
  readonly serverChainPem: string;
  readonly serverKeyPem: string;
  /** When a previous root stops being honoured (ms since the epoch), or null. */
  readonly changesAtMs: number | null;
}

export interface VmiBoot {
  ca: CertificateAuthority;
  rootPem: string;
  rootFingerprint: string;
  /** For the VMI TLS endpoint: a server certificate issued by this boot's root. */
  server: { certPem: string; keyPem: string };
  /** This root certified by the previous boot's root, when that one is in grace. */
  crossPem: string | null;
}

interface ReplacedRoot {
  readonly boot: VmiBoot;
  readonly replacedAtMs: number;
  /** How many boots came after it. */
  bootsSince: number;
}

export class VmiCa {
  private boot: VmiBoot | null = null;
  /** Replaced roots, newest first, kept while their grace may last. */
  private replaced: ReplacedRoot[] = [];
  private readonly settings: VmiCaSettings;

  constructor(settings: Partial<VmiCaSettings> = {}) {
    this.settings = { ...DEFAULT_VMI_CA_SETTINGS, ...settings };
  }

  get current(): VmiBoot | null {
    return this.boot;
  }

  /** A new root key and certificate, as the VMI makes at every power on. */
  async newRoot(bootNumber: number): Promise<VmiBoot> {
    const keys = await generateKeyPair(this.settings.keyKind);
    const rootPem = await createRootCa({
      keys,
      subject: `CN=VMI CA boot ${bootNumber},O=pldm-hostbridge host-sim`,
      validityDays: this.settings.rootValidityDays,
    });
    const ca: CertificateAuthority = { cert: rootPem, keys };
    const serverKeys = await generateKeyPair(this.settings.keyKind);
    const server = {
      certPem: await issueServerCertificate({
        ca,
        keys: serverKeys,
        dnsNames: ["localhost"],
        ipAddresses: ["127.0.0.1"],
        validityDays: this.settings.rootValidityDays,
      }),
      keyPem: await exportPrivateKeyPem(serverKeys.privateKey),
    };
    const previous = this.boot;
    const now = Date.now();
    const crossPem =
      previous && this.graceLasts(0, 0) ? await crossCertifyRoot({ ca: previous.ca, rootPem, validityDays: this.settings.rootValidityDays }) : null;
    this.boot = { ca, rootPem, rootFingerprint: await fingerprintSha256(rootPem), server, crossPem };
    if (previous) {
      for (const r of this.replaced) r.bootsSince++;
      this.replaced.unshift({ boot: previous, replacedAtMs: now, bootsSince: 1 });
    }
    this.replaced = this.replaced.filter((r) => this.honoured(r, now));
    return this.boot;
  }

  /**
   * The trust of this moment: the current root and the replaced ones still in grace.
   * A chain needs every link, so honouring stops at the first root out of grace.
   */
  trustAt(now = Date.now()): VmiTrust {
    if (!this.boot) throw new Error("the VMI CA has not booted");
    const clientRoots = [this.boot.rootPem];
    const chain = [this.boot.server.certPem];
    let newer: VmiBoot = this.boot;
    let changesAtMs: number | null = null;
    for (const r of this.replaced) {
      if (!this.honoured(r, now) || !newer.crossPem) break;
      chain.push(newer.crossPem);
      clientRoots.push(r.boot.rootPem);
      const grace = this.settings.rootGrace ?? NO_GRACE;
      if ("seconds" in grace) changesAtMs = r.replacedAtMs + grace.seconds * 1000;
      newer = r.boot;
    }
    return { clientRoots, serverChainPem: chain.join(""), serverKeyPem: this.boot.server.keyPem, changesAtMs };
  }

  private honoured(r: ReplacedRoot, now: number): boolean {
    return this.graceLasts(r.bootsSince - 1, now - r.replacedAtMs);
  }

  /** Whether a root replaced `bootsAgo` boots (after its own) and `msAgo` ago is still in grace. */
  private graceLasts(bootsAgo: number, msAgo: number): boolean {
    const grace = this.settings.rootGrace ?? NO_GRACE;
    return "boots" in grace ? bootsAgo < grace.boots : msAgo < grace.seconds * 1000;
  }

  /** Signs a CSR (PEM text); throws CsrError for a malformed or forged one. */
  async sign(csrText: string): Promise<string> {
    if (!this.boot) throw new Error("the VMI CA has not booted");
    const csr = await parseCsr(csrText);
    return issueClientCertificate({ ca: this.boot.ca, csr, validityDays: this.settings.clientValidityDays });
  }
}
