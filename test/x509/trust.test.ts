/** The BMC's checks on what the host hands it: every bad root and certificate a hostile host could send. */
import { beforeAll, describe, expect, it } from "vitest";
import { BAD_CERTS, BAD_ROOTS, badCertificate, badRoot } from "../../host-sim/hostile.js";
import { VmiCa, type VmiBoot } from "../../host-sim/vmi-ca.js";
import {
  createCsr,
  decodeSinglePem,
  encodePem,
  fingerprintSha256,
  generateKeyPair,
  issueServerCertificate,
  validateRoot,
  verifyIssuedCertificate,
} from "../../src/x509/index.js";

let boot: VmiBoot;
let csr: string;
let signed: string;
const ca = new VmiCa({ keyKind: "p256", rootValidityDays: 30, clientValidityDays: 30 });

beforeAll(async () => {
  boot = await ca.newRoot(1);
  csr = await createCsr({ keys: await generateKeyPair("p256"), subject: "CN=hmc-A" });
  signed = await ca.sign(csr);
});

describe("validateRoot", () => {
  it("accepts the VMI's self-signed CA root, with its fingerprint", async () => {
    expect(await validateRoot(boot.rootPem)).toEqual({ ok: true, fingerprint: await fingerprintSha256(boot.rootPem) });
    expect((await validateRoot(`\n${boot.rootPem}\n\n`)).ok).toBe(true);
  });

  const expected: Record<(typeof BAD_ROOTS)[number], string> = {
    "junk-der": "bad-der",
    csr: "not-pem",
    leaf: "not-ca",
    wrapped: "text-around",
    "two-blocks": "text-around",
    expired: "expired",
  };
  for (const kind of BAD_ROOTS) {
    it(`refuses a ${kind} root, saying why, with a fingerprint`, async () => {
      const v = await validateRoot(await badRoot(kind, boot));
      expect(v).toMatchObject({ ok: false, reason: expected[kind] });
      expect(v.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    });
  }

  it("refuses a CA certificate that is not self-signed and text that is no PEM at all", async () => {
    expect(await validateRoot("hello")).toMatchObject({ ok: false, reason: "not-pem" });
    expect(await validateRoot("")).toMatchObject({ ok: false, reason: "not-pem" });
  });
});

describe("verifyIssuedCertificate", () => {
  it("accepts the certificate signed for the entry's CSR by the current root", async () => {
    expect((await verifyIssuedCertificate(signed, csr, boot.rootPem)).ok).toBe(true);
  });

  const expected: Record<(typeof BAD_CERTS)[number], string> = {
    "not-cert": "not-pem",
    "other-entry": "key-mismatch",
    // Same issuer name, another key: its authority key id already points elsewhere.
    "other-root": "issuer-mismatch",
    expired: "expired",
    "two-certs": "text-around",
  };
  for (const kind of BAD_CERTS) {
    it(`refuses a ${kind} certificate`, async () => {
      expect(await verifyIssuedCertificate(await badCertificate(kind, boot, csr, signed), csr, boot.rootPem)).toMatchObject({
        ok: false,
        reason: expected[kind],
      });
    });
  }

  it("refuses a certificate whose signature was altered", async () => {
    const der = decodeSinglePem(signed, ["CERTIFICATE"]).der.slice();
    der[der.length - 1]! ^= 0x01;
    expect(await verifyIssuedCertificate(encodePem("CERTIFICATE", der), csr, boot.rootPem)).toMatchObject({ ok: false, reason: "bad-signature" });
  });

  it("refuses the right certificate against another root, or with no root yet", async () => {
    const other = await new VmiCa({ keyKind: "p256", rootValidityDays: 30, clientValidityDays: 30 }).newRoot(2);
    expect(await verifyIssuedCertificate(signed, csr, other.rootPem)).toMatchObject({ ok: false, reason: "issuer-mismatch" });
    expect(await verifyIssuedCertificate(signed, csr, null)).toMatchObject({ ok: false, reason: "no-root" });
  });

  it("refuses a certificate for the CSR's key that is not for TLS client auth, and one that is a CA", async () => {
    // A server certificate for the very key of the CSR: extendedKeyUsage serverAuth only.
    const keys = await generateKeyPair("p256");
    const keyCsr = await createCsr({ keys, subject: "CN=hmc-B" });
    const server = await issueServerCertificate({ ca: boot.ca, keys, dnsNames: ["hmc-b"], validityDays: 30 });
    expect(await verifyIssuedCertificate(server, keyCsr, boot.rootPem)).toMatchObject({ ok: false, reason: "not-client-auth" });
    // The root itself, offered for a CSR of the root's key, is a CA.
    const rootCsr = await createCsr({ keys: boot.ca.keys, subject: "CN=root key" });
    expect(await verifyIssuedCertificate(boot.rootPem, rootCsr, boot.rootPem)).toMatchObject({ ok: false, reason: "is-ca" });
  });
});
