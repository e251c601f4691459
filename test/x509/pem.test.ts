import { afterAll, describe, expect, it } from "vitest";
import { decodeSinglePem, encodePem, PemError, splitPemBlocks } from "../../src/x509/index.js";
import { OPENSSL_P256, OpensslWorkdir } from "./openssl.js";

const work = new OpensslWorkdir();
afterAll(() => work.remove());

const { csrPem, keyPem } = work.makeCsr("a", OPENSSL_P256, "/CN=pem");
work.ok(["req", "-x509", "-in", "a.csr", "-key", "a.key", "-days", "1", "-out", "a.pem"]);
const certPem = work.read("a.pem");

function reasonOf(run: () => unknown): string {
  try {
    run();
    return "no error";
  } catch (error) {
    return error instanceof PemError ? error.reason : String(error);
  }
}

describe("splitPemBlocks", () => {
  it("finds every block in order in openssl's text dump, with CRLF too", () => {
    const dump = work.ok(["x509", "-in", "a.pem", "-text"]) + "\n" + csrPem + keyPem;
    for (const text of [dump, dump.replaceAll("\n", "\r\n")]) {
      expect(splitPemBlocks(text).map((block) => block.label)).toEqual(["CERTIFICATE", "CERTIFICATE REQUEST", "PRIVATE KEY"]);
    }
    const [certificate] = splitPemBlocks(dump);
    work.write("a.der", certificate!.der);
    expect(work.ok(["x509", "-inform", "DER", "-in", "a.der"])).toBe(certPem);
  });

  it("returns nothing for text without blocks and refuses broken blocks", () => {
    expect(splitPemBlocks("no pem here")).toEqual([]);
    expect(reasonOf(() => splitPemBlocks("-----BEGIN CERTIFICATE-----\nMAMC\n"))).toBe("malformed");
    expect(reasonOf(() => splitPemBlocks("-----BEGIN CERTIFICATE-----\nMAMC\n-----END X-----\n"))).toBe("malformed");
    expect(reasonOf(() => splitPemBlocks("-----BEGIN CERTIFICATE-----\nMA*C\n-----END CERTIFICATE-----\n"))).toBe("malformed");
    expect(reasonOf(() => splitPemBlocks("-----BEGIN CERTIFICATE-----\nMAM\n-----END CERTIFICATE-----\n"))).toBe("malformed");
    const encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nMAMC\n-----END RSA PRIVATE KEY-----\n";
    expect(reasonOf(() => splitPemBlocks(encrypted))).toBe("malformed");
  });
});

describe("decodeSinglePem and encodePem", () => {
  it("insists on exactly one block with an expected label", () => {
    expect(decodeSinglePem(certPem, ["CERTIFICATE"]).label).toBe("CERTIFICATE");
    expect(reasonOf(() => decodeSinglePem("", ["CERTIFICATE"]))).toBe("no-block");
    expect(reasonOf(() => decodeSinglePem(certPem + certPem, ["CERTIFICATE"]))).toBe("several-blocks");
    expect(reasonOf(() => decodeSinglePem(csrPem, ["CERTIFICATE"]))).toBe("wrong-label");
  });

  it("re-encodes byte for byte what openssl writes", () => {
    for (const pem of [certPem, csrPem, keyPem]) {
      const block = decodeSinglePem(pem, ["CERTIFICATE", "CERTIFICATE REQUEST", "PRIVATE KEY"]);
      expect(encodePem(block.label, block.der)).toBe(pem);
    }
  });
});
