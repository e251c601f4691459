/**
 * The certificate and CSR reader (node:crypto plus the DER walker) judged by two independent
 * readers: openssl and @peculiar/x509, which reads with its own ASN.1 schemas.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { KeyUsage, readCertificate } from "../../src/x509/certificate.js";
import { decodeCsrPem } from "../../src/x509/csr.js";
import { readSingle } from "../../src/x509/der.js";
import { CertificateError, CsrError, describeCsr, encodePem, generateKeyPair, parseCsr, splitPemBlocks } from "../../src/x509/index.js";
import { nameToString } from "../../src/x509/name.js";
import { x509 } from "../../src/x509/provider.js";
import { OPENSSL_P256, OPENSSL_RSA2048, OpensslWorkdir } from "./openssl.js";

const work = new OpensslWorkdir();
afterAll(() => work.remove());

/** A self-signed certificate made by openssl with these -addext extensions. */
function opensslCertificate(name: string, subject: string, addext: readonly string[], keyArgs: readonly string[] = OPENSSL_P256): string {
  const ext = addext.flatMap((e) => ["-addext", e]);
  work.ok(["req", "-x509", "-new", ...keyArgs, "-nodes", "-keyout", `${name}.key`, "-subj", subject, "-days", "10", ...ext, "-out", `${name}.pem`]);
  return work.read(`${name}.pem`);
}

const FLAGS: Record<string, number> = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
};

describe("readCertificate agrees with @peculiar/x509 and openssl", () => {
  const cases: [string, string, string[]][] = [
    ["ca", "/CN=VMI CA/O=IBM", ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign", "subjectKeyIdentifier=hash"]],
    ["leaf", "/CN=hmc-1/O=IBM/OU=HMC", ["basicConstraints=CA:FALSE", "keyUsage=digitalSignature,keyEncipherment", "extendedKeyUsage=clientAuth,serverAuth"]],
    ["bare", "/CN=bare", ["basicConstraints=critical,CA:FALSE", "subjectKeyIdentifier=none", "authorityKeyIdentifier=none"]],
    ["odd names", '/CN=a\\, b+c/O=IBM \\"x\\"/C=US/emailAddress=ops@example.com', ["keyUsage=digitalSignature"]],
  ];
  for (const [name, subject, addext] of cases) {
    it(`${name}: subject, issuer, CA flag, key usages, purposes, key ids, times, serial`, () => {
      const pem = opensslCertificate(name.replace(" ", "-"), subject, addext);
      const ours = readCertificate(pem);
      const theirs = new x509.X509Certificate(pem);
      expect(ours.subject).toBe(theirs.subject);
      expect(ours.issuer).toBe(theirs.issuer);
      expect(ours.isCa).toBe(theirs.getExtension(x509.BasicConstraintsExtension)?.ca === true);
      const usage = theirs.getExtension(x509.KeyUsagesExtension);
      for (const [flag, bit] of Object.entries(KeyUsage)) {
        expect(ours.keyUsage?.(bit), flag).toBe(usage === null ? undefined : (usage.usages & FLAGS[flag]!) !== 0);
      }
      expect(ours.extendedKeyUsage).toEqual(theirs.getExtension(x509.ExtendedKeyUsageExtension)?.usages.map(String));
      expect(ours.subjectKeyId).toBe(theirs.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
      expect(ours.authorityKeyId).toBe(theirs.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId ?? undefined);
      expect(ours.notBefore).toEqual(theirs.notBefore);
      expect(ours.notAfter).toEqual(theirs.notAfter);
      expect(`serial=${ours.serialNumber}`).toBe(work.ok(["x509", "-in", `${name.replace(" ", "-")}.pem`, "-noout", "-serial"]).trim());
      expect(Buffer.from(ours.spkiDer).equals(Buffer.from(theirs.publicKey.rawData))).toBe(true);
      expect(ours.signedBy(ours.publicKey)).toBe(true);
    });
  }

  it("refuses a certificate with a repeated extension, which both other readers take", async () => {
    const keys = await generateKeyPair("p256");
    const doubled = await x509.X509CertificateGenerator.createSelfSigned({
      name: "CN=twice",
      keys,
      signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
      extensions: [new x509.BasicConstraintsExtension(false), new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    const pem = encodePem("CERTIFICATE", doubled.rawData);
    expect(() => readCertificate(pem)).toThrow(CertificateError);
    expect(() => readCertificate(pem)).toThrow(/2\.5\.29\.19 appears twice/);
  });

  it("refuses what OpenSSL refuses even when the DER walks: a key that is no key", () => {
    const pem = opensslCertificate("good", "/CN=good", []);
    const der = splitPemBlocks(pem)[0]!.der;
    // The EC point's first byte (0x04, uncompressed) becomes 0x05, no point form at all (0x06 and
    // 0x07 are X9.62's hybrid forms, which OpenSSL takes when y's parity matches): the DER still walks.
    // The point is the last 65 bytes of the SPKI, found whole (a 4-byte pattern may also occur in the random serial).
    const spkiDer = readCertificate(pem).spkiDer;
    const point = Buffer.from(der).indexOf(Buffer.from(spkiDer)) + spkiDer.length - 65;
    expect(der[point]).toBe(0x04);
    const broken = new Uint8Array(der);
    broken[point] = 0x05;
    expect(() => readCertificate(encodePem("CERTIFICATE", broken))).toThrow(CertificateError);
  });
});

describe("names read as @peculiar/x509 prints them", () => {
  const OIDS = ["2.5.4.3", "2.5.4.10", "2.5.4.11", "2.5.4.6", "2.5.4.7", "1.2.840.113549.1.9.1", "0.9.2342.19200300.100.1.25", "2.5.4.4", "1.2.3.4"];
  const tlv = (tag: number, content: Uint8Array): Uint8Array => {
    const n = content.length;
    const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
    return new Uint8Array([tag, ...length, ...content]);
  };
  const oid = (dotted: string): Uint8Array => {
    const [a = 0, b = 0, ...rest] = dotted.split(".").map(Number);
    const arcs = [a * 40 + b, ...rest].flatMap((arc) => {
      const out = [arc & 0x7f];
      for (arc = Math.floor(arc / 128); arc > 0; arc = Math.floor(arc / 128)) out.unshift((arc & 0x7f) | 0x80);
      return out;
    });
    return tlv(0x06, new Uint8Array(arcs));
  };
  const concat = (parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]));
  // UTF8String (0x0c), PrintableString (0x13), IA5String (0x16), BMPString (0x1e, UTF-16BE).
  const encodeValue = (tag: number, text: string) =>
    tlv(tag, tag === 0x1e ? new Uint8Array(Buffer.from(text, "utf16le").swap16()) : new Uint8Array(Buffer.from(text, tag === 0x0c ? "utf8" : "latin1")));
  const text = fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom("a", "Z", "0", " ", ",", "+", '"', "\\", "<", ">", ";", "#", "=", "é", "€") });
  const attribute = fc.tuple(fc.constantFrom(...OIDS), fc.constantFrom(0x0c, 0x16, 0x1e), text);

  it("for any attributes, string types and values, multi-valued RDNs included", () => {
    fc.assert(
      fc.property(fc.array(fc.array(attribute, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 4 }), (rdns) => {
        const der = tlv(
          0x30,
          concat(
            rdns.map((rdn) =>
              tlv(
                0x31,
                concat(rdn.map(([type, tag, value]) => tlv(0x30, concat([oid(type), encodeValue(tag, tag === 0x16 ? value.replace(/[é€]/g, "x") : value)])))),
              ),
            ),
          ),
        );
        expect(nameToString(readSingle(der, "name"))).toBe(new x509.Name(der).toString());
      }),
      { numRuns: 300 },
    );
  });
});

describe("CSR signatures checked with OpenSSL through node:crypto", () => {
  it.each([
    ["RSA with SHA-384", [...OPENSSL_RSA2048, "-sha384"]],
    ["RSA with SHA-512", [...OPENSSL_RSA2048, "-sha512"]],
    ["RSA-PSS, SHA-256, salt 32", [...OPENSSL_RSA2048, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"]],
    ["RSA-PSS, SHA-384, salt 48", [...OPENSSL_RSA2048, "-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:48"]],
    ["EC P-384 with SHA-384", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-sha384"]],
  ])("%s: parsed, and a flipped signature bit is bad-signature", async (label, args) => {
    const name = label.replace(/[^a-z0-9]/gi, "");
    const { csrPem } = work.makeCsr(name, args, `/CN=${name}`);
    expect((await parseCsr(csrPem)).subject).toBe(`CN=${name}`);
    const der = splitPemBlocks(csrPem)[0]!.der;
    der[der.length - 2]! ^= 0x10;
    await expect(parseCsr(encodePem("CERTIFICATE REQUEST", der))).rejects.toMatchObject({ reason: "bad-signature" });
  });

  it("describes an Ed25519 CSR's signature, which the CA's key policy then refuses", async () => {
    const { csrPem } = work.makeCsr("ed", ["-newkey", "ed25519"], "/CN=ed");
    expect(await describeCsr(csrPem)).toMatchObject({ keyKind: "Ed25519", signatureValid: true });
    await expect(parseCsr(csrPem)).rejects.toMatchObject({ reason: "unsupported-key" });
  });

  it("an algorithm that does not fit the key, or that it does not know, is unsupported-signature-algorithm", async () => {
    const { csrPem } = work.makeCsr("swap", OPENSSL_RSA2048, "/CN=swap");
    const der = Buffer.from(splitPemBlocks(csrPem)[0]!.der);
    const sha256WithRsa = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]);
    const at = der.lastIndexOf(sha256WithRsa);
    expect(at).toBeGreaterThan(0);
    for (const lastArc of [0x0d, 0x7f]) {
      // 0x0d: sha512WithRSAEncryption, which verifies nothing here; 0x7f: no algorithm at all.
      const changed = Buffer.from(der);
      changed[at + sha256WithRsa.length - 1] = lastArc;
      const reason = await parseCsr(encodePem("CERTIFICATE REQUEST", changed)).catch((e: CsrError) => e.reason);
      expect(reason).toBe(lastArc === 0x0d ? "bad-signature" : "unsupported-signature-algorithm");
    }
    const p256 = work.makeCsr("p256", OPENSSL_P256, "/CN=p256").csrPem;
    const ecdsaSha256 = Buffer.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
    const ecDer = Buffer.from(splitPemBlocks(p256)[0]!.der);
    const ecAt = ecDer.lastIndexOf(ecdsaSha256);
    // ecdsa-with-SHA256 becomes 1.2.840.10045.4.3.1 (SHA-224): known, and still ECDSA.
    ecDer[ecAt + ecdsaSha256.length - 1] = 0x01;
    await expect(parseCsr(encodePem("CERTIFICATE REQUEST", ecDer))).rejects.toMatchObject({ reason: "bad-signature" });
    expect(decodeCsrPem(p256).subject).toBe("CN=p256");
  });
});
