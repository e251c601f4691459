import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  certificateMatchesKey,
  CertificateError,
  createRootCa,
  describeCertificate,
  describeCsr,
  encodePem,
  exportPrivateKeyPem,
  fingerprintSha256,
  generateKeyPair,
  importPrivateKeyPem,
  issueClientCertificate,
  KeyError,
  parseCsr,
  splitPemBlocks,
  verifyChain,
  type CertificateAuthority,
} from "../../src/x509/index.js";
import { OPENSSL_P256, OPENSSL_RSA2048, OpensslWorkdir } from "./openssl.js";

const work = new OpensslWorkdir();
afterAll(() => work.remove());

const DAY_MS = 24 * 60 * 60 * 1000;
const ISSUED_AT = Date.parse("2030-06-01T00:00:00Z");

let ca: CertificateAuthority;
let leafPem: string;
const hmc = work.makeCsr("hmc", OPENSSL_RSA2048, "/CN=hmc-1/O=IBM");

beforeAll(async () => {
  const keys = await generateKeyPair("p256");
  ca = { cert: await createRootCa({ keys, subject: "CN=VMI CA,O=IBM", validityDays: 365, now: ISSUED_AT }), keys };
  leafPem = await issueClientCertificate({ ca, csr: await parseCsr(hmc.csrPem), validityDays: 30, now: ISSUED_AT });
  work.write("root.pem", ca.cert);
  work.write("leaf.pem", leafPem);
});

describe("describeCertificate / describeCsr / fingerprintSha256", () => {
  it("agree with openssl on a certificate", async () => {
    const leaf = await describeCertificate(leafPem);
    const openssl = work.ok(["x509", "-in", "leaf.pem", "-noout", "-fingerprint", "-sha256", "-serial"]);
    expect(openssl).toBe(`sha256 Fingerprint=${leaf.sha256Fingerprint}\nserial=${leaf.serial}\n`);
    expect(await fingerprintSha256(leafPem)).toBe(leaf.sha256Fingerprint);
    expect(leaf).toMatchObject({
      kind: "certificate",
      subject: "CN=hmc-1, O=IBM",
      issuer: "CN=VMI CA, O=IBM",
      keyKind: "RSA 2048",
      isCa: false,
      notAfter: new Date(ISSUED_AT + 30 * DAY_MS),
    });
    expect(await describeCertificate(ca.cert)).toMatchObject({ keyKind: "EC P-256", isCa: true, subject: "CN=VMI CA, O=IBM" });
  });

  it("agree with openssl on a CSR, and report a broken signature instead of throwing", async () => {
    const csr = await describeCsr(hmc.csrPem);
    const der = work.write("hmc.csr.der", splitPemBlocks(hmc.csrPem)[0]!.der);
    const digest = work.ok(["dgst", "-sha256", "-hex", "-r", der]).split(" ")[0]!;
    expect(csr).toEqual({
      kind: "csr",
      subject: "CN=hmc-1, O=IBM",
      keyKind: "RSA 2048",
      sha256Fingerprint: digest.toUpperCase().match(/../g)!.join(":"),
      signatureValid: true,
    });
    const broken = splitPemBlocks(hmc.csrPem)[0]!.der;
    broken[broken.length - 1]! ^= 0x80;
    expect((await describeCsr(encodePem("CERTIFICATE REQUEST", broken))).signatureValid).toBe(false);
  });

  it("throw typed errors on what is not a certificate", async () => {
    await expect(describeCertificate(hmc.csrPem)).rejects.toSatisfy((e) => e instanceof CertificateError && e.reason === "not-pem");
    await expect(describeCertificate("-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n")).rejects.toSatisfy(
      (e) => e instanceof CertificateError && e.reason === "bad-der",
    );
  });
});

describe("keys", () => {
  it("exported PKCS#8 keys are read by openssl and imported back with their kind", async () => {
    for (const kind of ["rsa2048", "p256"] as const) {
      const keys = await generateKeyPair(kind);
      const pem = await exportPrivateKeyPem(keys.privateKey);
      work.write(`${kind}.key`, pem);
      expect(work.ok(["pkey", "-in", `${kind}.key`, "-check", "-noout"])).toMatch(/valid/i);
      const imported = await importPrivateKeyPem(pem);
      expect(imported.kind).toBe(kind === "rsa2048" ? "RSA 2048" : "EC P-256");
      expect(await exportPrivateKeyPem(imported.privateKey)).toBe(pem);
    }
  });

  it("reads legacy PKCS#1 and SEC1 keys and refuses what it cannot use", async () => {
    work.ok(["pkey", "-in", "hmc.key", "-traditional", "-out", "hmc-pkcs1.key"]);
    expect(work.read("hmc-pkcs1.key")).toContain("BEGIN RSA PRIVATE KEY");
    expect((await importPrivateKeyPem(work.read("hmc-pkcs1.key"))).kind).toBe("RSA 2048");
    work.ok(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.key"]);
    expect((await importPrivateKeyPem(work.read("sec1.key"))).kind).toBe("EC P-256");
    work.ok(["genpkey", "-algorithm", "ed25519", "-out", "ed.key"]);
    const reason = (text: string) =>
      importPrivateKeyPem(text).then(
        () => "imported",
        (e: unknown) => (e instanceof KeyError ? e.reason : e),
      );
    expect(await reason(work.read("ed.key"))).toBe("unsupported-key");
    expect(await reason("-----BEGIN PRIVATE KEY-----\nMAMCAQE=\n-----END PRIVATE KEY-----\n")).toBe("bad-der");
    expect(await reason(leafPem)).toBe("not-pem");
  });

  it("certificateMatchesKey tells the certified key from any other", async () => {
    expect(await certificateMatchesKey(leafPem, hmc.keyPem)).toBe(true);
    expect(await certificateMatchesKey(leafPem, work.read("hmc-pkcs1.key"))).toBe(true);
    const otherRsa = work.makeCsr("other", OPENSSL_RSA2048, "/CN=other").keyPem;
    const otherEc = work.makeCsr("other-ec", OPENSSL_P256, "/CN=other").keyPem;
    expect(await certificateMatchesKey(leafPem, otherRsa)).toBe(false);
    expect(await certificateMatchesKey(leafPem, otherEc)).toBe(false);
    expect(await certificateMatchesKey(ca.cert, await exportPrivateKeyPem(ca.keys.privateKey))).toBe(true);
    // openssl agrees: the certificate's key and the key file's public half are the same.
    expect(work.ok(["x509", "-in", "leaf.pem", "-noout", "-pubkey"])).toBe(work.ok(["pkey", "-in", "hmc.key", "-pubout"]));
  });
});

describe("verifyChain, judged alongside openssl verify", () => {
  const opensslAt = (ms: number, cert: string, root = "root.pem") =>
    work.run(["verify", "-attime", String(Math.floor(ms / 1000)), "-CAfile", root, cert]).status === 0;

  it("accepts a certificate from the root inside both validity windows", async () => {
    const at = ISSUED_AT + DAY_MS;
    expect(await verifyChain(leafPem, ca.cert, at)).toEqual({ ok: true });
    expect(opensslAt(at, "leaf.pem")).toBe(true);
  });

  it("rejects outside the validity window", async () => {
    const late = ISSUED_AT + 31 * DAY_MS;
    expect(await verifyChain(leafPem, ca.cert, late)).toMatchObject({ ok: false, reason: "expired" });
    expect(opensslAt(late, "leaf.pem")).toBe(false);
    const early = ISSUED_AT - DAY_MS;
    expect(await verifyChain(leafPem, ca.cert, early)).toMatchObject({ ok: false, reason: "not-yet-valid" });
    expect(opensslAt(early, "leaf.pem")).toBe(false);
  });

  it("rejects a root of the same name but another key, and an unrelated root", async () => {
    const at = ISSUED_AT + DAY_MS;
    const sameName = await createRootCa({ keys: await generateKeyPair("p256"), subject: "CN=VMI CA,O=IBM", validityDays: 365, now: ISSUED_AT });
    work.write("same-name.pem", sameName);
    expect(await verifyChain(leafPem, sameName, at)).toMatchObject({ ok: false, reason: "issuer-mismatch" });
    expect(opensslAt(at, "leaf.pem", "same-name.pem")).toBe(false);
    const other = await createRootCa({ keys: await generateKeyPair("rsa2048"), subject: "CN=Other CA", validityDays: 365, now: ISSUED_AT });
    expect(await verifyChain(leafPem, other, at)).toMatchObject({ ok: false, reason: "issuer-mismatch" });
  });

  it("rejects a tampered signature, a leaf used as root, and text that is no certificate", async () => {
    const at = ISSUED_AT + DAY_MS;
    const tampered = splitPemBlocks(leafPem)[0]!.der;
    tampered[tampered.length - 2]! ^= 0x01;
    work.write("tampered.pem", encodePem("CERTIFICATE", tampered));
    expect(await verifyChain(work.read("tampered.pem"), ca.cert, at)).toMatchObject({ ok: false, reason: "bad-signature" });
    expect(opensslAt(at, "tampered.pem")).toBe(false);
    expect(await verifyChain(leafPem, leafPem, at)).toMatchObject({ ok: false, reason: "root-not-ca" });
    expect(await verifyChain("garbage", ca.cert, at)).toMatchObject({ ok: false, reason: "not-pem" });
    expect(await verifyChain(leafPem, "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----", at)).toMatchObject({
      ok: false,
      reason: "bad-der",
    });
  });

  it("never throws on a corrupted certificate, and passes one only if what was signed is intact", async () => {
    const at = ISSUED_AT + DAY_MS;
    const original = await describeCertificate(leafPem);
    const der = splitPemBlocks(leafPem)[0]!.der;
    await fc.assert(
      fc.asyncProperty(fc.nat(der.length - 1), fc.integer({ min: 1, max: 255 }), async (index, xor) => {
        const corrupted = new Uint8Array(der);
        corrupted[index]! ^= xor;
        const pem = encodePem("CERTIFICATE", corrupted);
        const verdict = await verifyChain(pem, ca.cert, at);
        // Only bytes outside the signed TBS (the outer wrapper the ASN.1 library reads leniently) may pass.
        if (verdict.ok) {
          const { subject, issuer, serial, keyKind, notAfter } = await describeCertificate(pem);
          expect({ subject, issuer, serial, keyKind, notAfter }).toEqual({
            subject: original.subject,
            issuer: original.issuer,
            serial: original.serial,
            keyKind: original.keyKind,
            notAfter: original.notAfter,
          });
        }
      }),
      { numRuns: 200 },
    );
  });
});
