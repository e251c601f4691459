import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  createCsr,
  CsrError,
  encodePem,
  exportPrivateKeyPem,
  generateKeyPair,
  MAX_CSR_BYTES,
  parseCsr,
  splitPemBlocks,
  type CsrErrorReason,
} from "../../src/x509/index.js";
import { OPENSSL_P256, OPENSSL_RSA2048, OpensslWorkdir } from "./openssl.js";

const work = new OpensslWorkdir();
afterAll(() => work.remove());

const rsa = work.makeCsr("rsa", OPENSSL_RSA2048, "/CN=hmc-test/O=IBM");
const ec = work.makeCsr("ec", OPENSSL_P256, "/CN=hmc-test/O=IBM");

function derOf(pem: string): Uint8Array {
  const [block] = splitPemBlocks(pem);
  if (block === undefined) throw new Error("no PEM block");
  return block.der;
}

async function reasonOf(text: string): Promise<CsrErrorReason | "parsed"> {
  try {
    await parseCsr(text);
    return "parsed";
  } catch (error) {
    if (error instanceof CsrError) return error.reason;
    throw error;
  }
}

describe("parseCsr on CSRs made by openssl req", () => {
  for (const [name, made, keyKind] of [
    ["rsa", rsa, "RSA 2048"],
    ["ec", ec, "EC P-256"],
  ] as const) {
    it(`${name}: verifies and reports subject, key kind and the key openssl sees`, async () => {
      const csr = await parseCsr(made.csrPem);
      expect(csr.subject).toBe("CN=hmc-test, O=IBM");
      expect(csr.keyKind).toBe(keyKind);
      expect(encodePem("PUBLIC KEY", csr.publicKeySpkiDer)).toBe(work.ok(["req", "-in", `${name}.csr`, "-noout", "-pubkey"]));
      const spkiDer = work.write(`${name}.spki.der`, csr.publicKeySpkiDer);
      const digest = work.ok(["dgst", "-sha256", "-hex", "-r", spkiDer]).split(" ")[0]!;
      expect(csr.publicKeyFingerprint.replaceAll(":", "").toLowerCase()).toBe(digest);
      expect(csr.der).toEqual(derOf(made.csrPem));
    });

    it(`${name}: accepts the PEM as the BMC and others send it`, async () => {
      const bare = made.csrPem.trimEnd();
      const variants = [
        bare,
        `${bare}\n`,
        `${bare}\n\n`,
        made.csrPem.replaceAll("\n", "\r\n"),
        made.csrPem.replaceAll("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"),
      ];
      for (const text of variants) {
        expect((await parseCsr(text)).der).toEqual(derOf(made.csrPem));
      }
    });

    it(`${name}: a flipped signature byte or a changed subject byte is bad-signature`, async () => {
      const signatureFlipped = derOf(made.csrPem);
      signatureFlipped[signatureFlipped.length - 1]! ^= 0x01;
      expect(await reasonOf(encodePem("CERTIFICATE REQUEST", signatureFlipped))).toBe("bad-signature");

      const subjectChanged = derOf(made.csrPem);
      const at = Buffer.from(subjectChanged).indexOf("hmc-test");
      expect(at).toBeGreaterThan(0);
      subjectChanged[at + 7] = "u".charCodeAt(0);
      expect(await reasonOf(encodePem("CERTIFICATE REQUEST", subjectChanged))).toBe("bad-signature");
    });
  }
});

describe("parseCsr refuses what the CA must not sign", () => {
  it("garbage, an empty string and a certificate are not-pem", async () => {
    expect(await reasonOf("garbage")).toBe("not-pem");
    expect(await reasonOf("")).toBe("not-pem");
    expect(await reasonOf("-----BEGIN CERTIFICATE REQUEST-----\nnot base64!\n-----END CERTIFICATE REQUEST-----\n")).toBe("not-pem");
    expect(await reasonOf("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n")).toBe("not-pem");
    work.ok(["req", "-x509", "-in", "rsa.csr", "-key", "rsa.key", "-days", "1", "-out", "self.pem"]);
    expect(await reasonOf(work.read("self.pem"))).toBe("not-pem");
    expect(await reasonOf(rsa.csrPem + ec.csrPem)).toBe("not-pem");
  });

  it("well-formed base64 that is not a PKCS#10 request is bad-der", async () => {
    expect(await reasonOf("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")).toBe("bad-der");
    const truncated = derOf(rsa.csrPem).subarray(0, 100);
    expect(await reasonOf(encodePem("CERTIFICATE REQUEST", truncated))).toBe("bad-der");
    const trailing = new Uint8Array([...derOf(rsa.csrPem), 0]);
    expect(await reasonOf(encodePem("CERTIFICATE REQUEST", trailing))).toBe("bad-der");
  });

  it("text over the SignCSR limit is too-large, checked before decoding", async () => {
    expect(await reasonOf(rsa.csrPem + " ".repeat(MAX_CSR_BYTES))).toBe("too-large");
    expect(await reasonOf("x".repeat(MAX_CSR_BYTES + 1))).toBe("too-large");
  });

  it("weak or unsupported keys are unsupported-key", async () => {
    work.makeCsr("small", ["-newkey", "rsa:1024"], "/CN=small");
    work.makeCsr("ed", ["-newkey", "ed25519"], "/CN=ed");
    work.makeCsr("pss", ["-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048"], "/CN=pss");
    for (const name of ["small", "ed", "pss"]) {
      expect(await reasonOf(work.read(`${name}.csr`))).toBe("unsupported-key");
    }
  });

  it("accepts RSA 4096 and EC P-384, and an RSA key with a PSS signature", async () => {
    work.makeCsr("big", ["-newkey", "rsa:4096"], "/CN=big");
    work.makeCsr("p384", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"], "/CN=p384");
    work.makeCsr("psssig", [...OPENSSL_RSA2048, "-sigopt", "rsa_padding_mode:pss"], "/CN=psssig");
    expect((await parseCsr(work.read("big.csr"))).keyKind).toBe("RSA 4096");
    expect((await parseCsr(work.read("p384.csr"))).keyKind).toBe("EC P-384");
    expect((await parseCsr(work.read("psssig.csr"))).keyKind).toBe("RSA 2048");
  });

  it("an empty subject is empty-subject", async () => {
    const keys = await generateKeyPair("p256");
    expect(await reasonOf(await createCsr({ keys, subject: "" }))).toBe("empty-subject");
  });

  it("any single corrupted byte is either caught by a typed reason or leaves the signed content intact", async () => {
    const original = derOf(ec.csrPem);
    await fc.assert(
      fc.asyncProperty(fc.nat(original.length - 1), fc.integer({ min: 1, max: 255 }), async (index, xor) => {
        const corrupted = new Uint8Array(original);
        corrupted[index]! ^= xor;
        const outcome = await reasonOf(encodePem("CERTIFICATE REQUEST", corrupted));
        // A byte outside the signed request info (outer lengths, algorithm identifier)
        // may still decode to the same request; nothing else may pass.
        if (outcome === "parsed") {
          const parsed = await parseCsr(encodePem("CERTIFICATE REQUEST", corrupted));
          expect(parsed.subject).toBe("CN=hmc-test, O=IBM");
          expect(encodePem("PUBLIC KEY", parsed.publicKeySpkiDer)).toBe(work.ok(["req", "-in", "ec.csr", "-noout", "-pubkey"]));
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("createCsr", () => {
  for (const kind of ["rsa2048", "p256"] as const) {
    it(`${kind}: openssl req -verify accepts it, with the subject and key we asked for`, async () => {
      const keys = await generateKeyPair(kind);
      const pem = await createCsr({ keys, subject: "CN=hmc-1,O=IBM" });
      work.write(`made-${kind}.csr`, pem);
      work.write(`made-${kind}.key`, await exportPrivateKeyPem(keys.privateKey));
      const verify = work.run(["req", "-in", `made-${kind}.csr`, "-verify", "-noout"]);
      expect(verify.status).toBe(0);
      expect(verify.stdout + verify.stderr).toMatch(/verify OK/i);
      expect(work.ok(["req", "-in", `made-${kind}.csr`, "-noout", "-subject"]).trim()).toBe("subject=CN = hmc-1, O = IBM");
      expect(work.ok(["req", "-in", `made-${kind}.csr`, "-noout", "-pubkey"])).toBe(work.ok(["pkey", "-in", `made-${kind}.key`, "-pubout"]));
      const text = work.ok(["req", "-in", `made-${kind}.csr`, "-noout", "-text"]);
      expect(text).toContain(kind === "rsa2048" ? "sha256WithRSAEncryption" : "ecdsa-with-SHA256");
      expect((await parseCsr(pem)).subject).toBe("CN=hmc-1, O=IBM");
    });
  }
});
