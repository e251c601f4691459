/**
 * A hostile host's material (fault switches `bad-root=KIND`, `bad-cert=KIND`, `bad-times=N`):
 * what it pushes instead of its real root or the certificate it signed, so tests can show
 * the BMC refuses each. After `badTimes` bad pushes (0 = always) the host is honest again.
 */
import {
  createCsr,
  createRootCa,
  describeCertificate,
  encodePem,
  generateKeyPair,
  issueClientCertificate,
  parseCsr,
  type CertificateAuthority,
} from "../src/x509/index.js";
import type { HostFaults } from "./faults.js";
import type { VmiBoot } from "./vmi-ca.js";

export const BAD_ROOTS = ["junk-der", "csr", "leaf", "wrapped", "two-blocks", "expired"] as const;
export type BadRootKind = (typeof BAD_ROOTS)[number];
export const BAD_CERTS = ["not-cert", "other-entry", "other-root", "expired", "two-certs"] as const;
export type BadCertKind = (typeof BAD_CERTS)[number];

const DAY_MS = 24 * 60 * 60 * 1000;
const TEXT_LINE = "This line is not part of any certificate; it pads the push.\n";

export class HostileMaterial {
  readonly counters = { badRoots: 0, badCerts: 0 };

  constructor(private readonly faults: Pick<HostFaults, "badRoot" | "badCert" | "badTimes">) {}

  /** The root to push this time: the real one, or a bad one while the switch is on. */
  async root(boot: VmiBoot): Promise<string> {
    const kind = this.faults.badRoot;
    if (!kind || !this.due(this.counters.badRoots)) return boot.rootPem;
    this.counters.badRoots++;
    return badRoot(kind, boot);
  }

  /** The certificate to push for a CSR: the one signed, or a bad one while the switch is on. */
  async certificate(signedPem: string, csrText: string, boot: VmiBoot): Promise<string> {
    const kind = this.faults.badCert;
    if (!kind || !this.due(this.counters.badCerts)) return signedPem;
    this.counters.badCerts++;
    return badCertificate(kind, boot, csrText, signedPem);
  }

  private due(done: number): boolean {
    return this.faults.badTimes === 0 || done < this.faults.badTimes;
  }
}

export async function badRoot(kind: BadRootKind, boot: VmiBoot): Promise<string> {
  switch (kind) {
    case "junk-der":
      return encodePem("CERTIFICATE", new Uint8Array([0x30, 0x01, 0x00]));
    case "csr":
      return createCsr({ keys: await generateKeyPair("p256"), subject: "CN=not a root" });
    case "leaf":
      return strangerCertificate(boot.ca);
    case "wrapped": {
      const pad = TEXT_LINE.repeat(Math.ceil(15_000 / TEXT_LINE.length));
      return `${pad}${boot.rootPem}${pad}`;
    }
    case "two-blocks":
      return `${boot.rootPem}${await strangerCertificate(boot.ca)}`;
    case "expired":
      return createRootCa({ keys: await generateKeyPair("p256"), subject: "CN=expired VMI CA", validityDays: 30, now: Date.now() - 400 * DAY_MS });
  }
}

export async function badCertificate(kind: BadCertKind, boot: VmiBoot, csrText: string, signedPem: string): Promise<string> {
  switch (kind) {
    case "not-cert":
      return "this is not a certificate";
    case "other-entry":
      return strangerCertificate(boot.ca);
    case "other-root": {
      // Same issuer name as the real root, another key: only the signature tells them apart.
      const keys = await generateKeyPair("p256");
      const { subject } = await describeCertificate(boot.rootPem);
      const impostor: CertificateAuthority = { cert: await createRootCa({ keys, subject, validityDays: 30 }), keys };
      return issueClientCertificate({ ca: impostor, csr: await parseCsr(csrText), validityDays: 30 });
    }
    case "expired":
      return issueClientCertificate({ ca: boot.ca, csr: await parseCsr(csrText), validityDays: 30, now: Date.now() - 400 * DAY_MS });
    case "two-certs":
      return `${signedPem}${boot.rootPem}`;
  }
}

/** A valid client certificate from this CA for a key nobody asked about. */
async function strangerCertificate(ca: CertificateAuthority): Promise<string> {
  const csr = await createCsr({ keys: await generateKeyPair("p256"), subject: "CN=someone else" });
  return issueClientCertificate({ ca, csr: await parseCsr(csr), validityDays: 30 });
}
