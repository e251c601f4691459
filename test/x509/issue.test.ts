import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CertificateError,
  createRootCa,
  exportPrivateKeyPem,
  generateKeyPair,
  issueClientCertificate,
  issueServerCertificate,
  parseCsr,
  type CertificateAuthority,
  type KeyPairKind,
} from "../../src/x509/index.js";
import { OPENSSL_P256, OPENSSL_RSA2048, OpensslWorkdir } from "./openssl.js";

const work = new OpensslWorkdir();
afterAll(() => work.remove());

const KINDS: readonly KeyPairKind[] = ["rsa2048", "p256"];
const OPENSSL_KEY: Record<KeyPairKind, readonly string[]> = { rsa2048: OPENSSL_RSA2048, p256: OPENSSL_P256 };

/** The keyid hex openssl prints under a key identifier extension heading, normalised. */
function keyIdUnder(text: string, heading: string): string {
  const match = new RegExp(`${heading}:\\s*\\n\\s*(?:keyid:)?([0-9A-F:]+)`).exec(text);
  if (match?.[1] === undefined) throw new Error(`no ${heading} in:\n${text}`);
  return match[1];
}

describe.each(KINDS)("root CA on %s", (caKind) => {
  let ca: CertificateAuthority;
  const rootFile = `root-${caKind}.pem`;

  beforeAll(async () => {
    const keys = await generateKeyPair(caKind);
    ca = { cert: await createRootCa({ keys, subject: "CN=VMI CA,O=IBM", validityDays: 30 }), keys };
    work.write(rootFile, ca.cert);
  });

  it("is a self-signed CA openssl trusts as its own anchor", () => {
    expect(work.ok(["verify", "-CAfile", rootFile, rootFile]).trim()).toBe(`${rootFile}: OK`);
    const text = work.ok(["x509", "-in", rootFile, "-noout", "-text"]);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s*\n\s*CA:TRUE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s*\n\s*Certificate Sign, CRL Sign/);
    expect(text).toContain("X509v3 Subject Key Identifier");
    expect(text).toContain(caKind === "rsa2048" ? "sha256WithRSAEncryption" : "ecdsa-with-SHA256");
    expect(work.ok(["x509", "-in", rootFile, "-noout", "-subject", "-issuer"])).toBe("subject=CN = VMI CA, O = IBM\nissuer=CN = VMI CA, O = IBM\n");
  });

  describe.each(KINDS)("client certificate for an openssl %s CSR", (hmcKind) => {
    const name = `client-${caKind}-${hmcKind}`;
    let certPem: string;

    beforeAll(async () => {
      const { csrPem } = work.makeCsr(name, OPENSSL_KEY[hmcKind], "/CN=hmc-test/O=IBM/OU=Console 1");
      certPem = await issueClientCertificate({ ca, csr: await parseCsr(csrPem), validityDays: 7 });
      work.write(`${name}.pem`, certPem);
    });

    it("verifies against the root for the sslclient purpose", () => {
      expect(work.ok(["verify", "-CAfile", rootFile, "-purpose", "sslclient", `${name}.pem`]).trim()).toBe(`${name}.pem: OK`);
    });

    it("is refused for the sslserver purpose and against another root", async () => {
      expect(work.run(["verify", "-CAfile", rootFile, "-purpose", "sslserver", `${name}.pem`]).status).not.toBe(0);
      const otherKeys = await generateKeyPair(caKind);
      work.write(`${name}-other-root.pem`, await createRootCa({ keys: otherKeys, subject: "CN=VMI CA,O=IBM", validityDays: 30 }));
      expect(work.run(["verify", "-CAfile", `${name}-other-root.pem`, `${name}.pem`]).status).not.toBe(0);
    });

    it("carries the CSR's subject (string types too) and public key", () => {
      const subject = ["-noout", "-subject", "-nameopt", "multiline,show_type"];
      expect(work.ok(["x509", "-in", `${name}.pem`, ...subject])).toBe(work.ok(["req", "-in", `${name}.csr`, ...subject]));
      expect(work.ok(["x509", "-in", `${name}.pem`, ...subject])).toContain("organizationalUnitName    = UTF8STRING:Console 1");
      expect(work.ok(["x509", "-in", `${name}.pem`, "-noout", "-issuer"]).replace("issuer=", "")).toBe(
        work.ok(["x509", "-in", rootFile, "-noout", "-subject"]).replace("subject=", ""),
      );
      expect(work.ok(["x509", "-in", `${name}.pem`, "-noout", "-pubkey"])).toBe(work.ok(["req", "-in", `${name}.csr`, "-noout", "-pubkey"]));
      expect(work.ok(["x509", "-in", `${name}.pem`, "-noout", "-pubkey"])).toBe(work.ok(["pkey", "-in", `${name}.key`, "-pubout"]));
    });

    it("has the client extensions, and its AKI is the root's SKI", () => {
      const text = work.ok(["x509", "-in", `${name}.pem`, "-noout", "-text"]);
      expect(text).toMatch(/X509v3 Basic Constraints: critical\s*\n\s*CA:FALSE/);
      expect(text).toMatch(/X509v3 Extended Key Usage:\s*\n\s*TLS Web Client Authentication\n/);
      const keyUsage = hmcKind === "rsa2048" ? "Digital Signature, Key Encipherment" : "Digital Signature";
      expect(text).toMatch(new RegExp(`X509v3 Key Usage: critical\\s*\\n\\s*${keyUsage}\\n`));
      const rootText = work.ok(["x509", "-in", rootFile, "-noout", "-text"]);
      expect(keyIdUnder(text, "X509v3 Authority Key Identifier")).toBe(keyIdUnder(rootText, "X509v3 Subject Key Identifier"));
      expect(keyIdUnder(text, "X509v3 Subject Key Identifier")).not.toBe(keyIdUnder(rootText, "X509v3 Subject Key Identifier"));
      expect(text).toContain(caKind === "rsa2048" ? "sha256WithRSAEncryption" : "ecdsa-with-SHA256");
    });
  });
});

describe("issuing details", () => {
  let ca: CertificateAuthority;
  beforeAll(async () => {
    const keys = await generateKeyPair("p256");
    ca = { cert: await createRootCa({ keys, subject: "CN=VMI CA", validityDays: 3650 }), keys };
    work.write("root.pem", ca.cert);
  });

  it("gives every certificate a different positive 16-byte serial", async () => {
    const csr = await parseCsr(work.makeCsr("serials", OPENSSL_P256, "/CN=hmc-serial").csrPem);
    const serials = new Set<string>();
    for (let i = 0; i < 5; i++) {
      work.write("serial.pem", await issueClientCertificate({ ca, csr, validityDays: 1 }));
      const serial = work.ok(["x509", "-in", "serial.pem", "-noout", "-serial"]).trim().replace("serial=", "");
      expect(serial).toMatch(/^[4-7][0-9A-F]{31}$/);
      serials.add(serial);
    }
    expect(serials.size).toBe(5);
  });

  it("sets the validity window from now and validityDays, as openssl -attime judges it", async () => {
    const now = Date.parse("2031-03-01T12:00:00Z");
    const csr = await parseCsr(work.makeCsr("window", OPENSSL_P256, "/CN=hmc-window").csrPem);
    work.write("window.pem", await issueClientCertificate({ ca, csr, validityDays: 10, now }));
    const dates = work.ok(["x509", "-in", "window.pem", "-noout", "-startdate", "-enddate"]);
    expect(dates).toBe("notBefore=Mar  1 11:55:00 2031 GMT\nnotAfter=Mar 11 12:00:00 2031 GMT\n");
    const at = (iso: string) => work.run(["verify", "-attime", String(Date.parse(iso) / 1000), "-CAfile", "root.pem", "window.pem"]).status;
    expect(at("2031-03-05T00:00:00Z")).toBe(0);
    expect(at("2031-03-12T00:00:00Z")).not.toBe(0);
    expect(at("2031-02-28T00:00:00Z")).not.toBe(0);
  });

  it("refuses a CA whose key pair is not the certified one", async () => {
    const csr = await parseCsr(work.makeCsr("mismatch", OPENSSL_P256, "/CN=hmc").csrPem);
    const wrong = { cert: ca.cert, keys: await generateKeyPair("p256") };
    await expect(issueClientCertificate({ ca: wrong, csr, validityDays: 1 })).rejects.toSatisfy(
      (error) => error instanceof CertificateError && error.reason === "ca-key-mismatch",
    );
  });

  it("server certificate: serverAuth with the SAN openssl checks for host and IP", async () => {
    for (const kind of KINDS) {
      const keys = await generateKeyPair(kind);
      const pem = await issueServerCertificate({ ca, keys, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], validityDays: 30 });
      work.write(`server-${kind}.pem`, pem);
      work.write(`server-${kind}.key`, await exportPrivateKeyPem(keys.privateKey));
      const verify = ["verify", "-CAfile", "root.pem", "-purpose", "sslserver"];
      expect(work.ok([...verify, "-verify_hostname", "localhost", `server-${kind}.pem`]).trim()).toBe(`server-${kind}.pem: OK`);
      expect(work.ok([...verify, "-verify_ip", "127.0.0.1", `server-${kind}.pem`]).trim()).toBe(`server-${kind}.pem: OK`);
      expect(work.run([...verify, "-verify_hostname", "vmi.example", `server-${kind}.pem`]).status).not.toBe(0);
      expect(work.run(["verify", "-CAfile", "root.pem", "-purpose", "sslclient", `server-${kind}.pem`]).status).not.toBe(0);
      const text = work.ok(["x509", "-in", `server-${kind}.pem`, "-noout", "-text", "-subject"]);
      expect(text).toMatch(/X509v3 Subject Alternative Name:\s*\n\s*DNS:localhost, IP Address:127.0.0.1\n/);
      expect(text).toContain("subject=CN = localhost");
      expect(work.ok(["x509", "-in", `server-${kind}.pem`, "-noout", "-pubkey"])).toBe(work.ok(["pkey", "-in", `server-${kind}.key`, "-pubout"]));
    }
  });
});
