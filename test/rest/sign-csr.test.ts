import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_CSR_PATH, ROOT_CERT_PATH, CERTIFICATE_PATH } from "../../src/rest/index.js";
import { startBridgeStack, type BridgeStack } from "../support/bridge-authority.js";
import { opensslCsr, opensslVerify, publicKeyOf, scratchDir, subjectOf } from "../support/openssl.js";
import { curl, type CurlRequest } from "./curl.js";

const ROOT_AUTH = ["root", "0penBmc"] as const;
let stack: BridgeStack;
let admin: CurlRequest;

beforeAll(async () => {
  stack = await startBridgeStack();
  admin = { cacert: stack.server.caPath, basic: ROOT_AUTH };
});
afterAll(async () => stack?.close());

const signCsr = (csrPem: string, request: Partial<CurlRequest> = {}) =>
  curl(`${stack.server.url}${SIGN_CSR_PATH}`, { ...admin, body: JSON.stringify({ CsrString: csrPem }), ...request });

/** Flips one character of the base64 body near its end, inside the signature. */
function corrupt(csrPem: string): string {
  const lines = csrPem.trim().split("\n");
  const i = lines.length - 3;
  const line = lines[i]!;
  lines[i] = line.slice(0, 10) + (line[10] === "A" ? "B" : "A") + line.slice(11);
  return `${lines.join("\n")}\n`;
}

describe("SignCSR and root over HTTPS, signed by a real host-sim", () => {
  it("signs an openssl CSR posted by curl into a certificate openssl verifies against the root route's root", async () => {
    const dir = scratchDir();
    const { csrPem } = opensslCsr(dir, "hmc-curl");
    const signed = await signCsr(csrPem);
    expect(signed.status).toBe(200);
    expect(signed.headers["content-type"]).toMatch(/^application\/json/);
    const certificate = signed.json<{ Certificate: string }>().Certificate;

    const root = await curl(`${stack.server.url}${ROOT_CERT_PATH}`, admin);
    expect(root.status).toBe(200);
    const rootPem = root.json<{ Certificate: string }>().Certificate;
    expect(opensslVerify(dir, rootPem, certificate)).toMatch(/: OK$/);
    expect(publicKeyOf("x509", certificate)).toBe(publicKeyOf("req", csrPem));
    expect(subjectOf("x509", certificate)).toBe(subjectOf("req", csrPem));
    // The entry is gone once answered.
    expect(stack.bmc.bridge.pendingCount()).toBe(0);
  });

  it("answers 400 Bad CSR when the host refuses a CSR with a broken signature", async () => {
    const { csrPem } = opensslCsr(scratchDir(), "forged");
    const refused = await signCsr(corrupt(csrPem));
    expect(refused.status).toBe(400);
    expect(refused.json()).toEqual({ Description: "Bad CSR" });
    expect(stack.bmc.bridge.pendingCount()).toBe(0);
  });

  it("gives four CSRs sent at once each their own certificate", async () => {
    const dir = scratchDir();
    const csrs = Array.from({ length: 4 }, (_, i) => opensslCsr(dir, `parallel-${i}`, i % 2 ? "ec" : "rsa").csrPem);
    const answers = await Promise.all(csrs.map((csr) => signCsr(csr)));
    const rootPem = (await curl(`${stack.server.url}${ROOT_CERT_PATH}`, admin)).json<{ Certificate: string }>().Certificate;
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(200);
      const certificate = answer.json<{ Certificate: string }>().Certificate;
      expect(publicKeyOf("x509", certificate)).toBe(publicKeyOf("req", csrs[i]!));
      expect(opensslVerify(dir, rootPem, certificate)).toMatch(/: OK$/);
    });
  });

  it("answers 400 to a CSR over 4096 bytes before it reaches the CA side", async () => {
    const answer = await signCsr(`-----BEGIN CERTIFICATE REQUEST-----\n${"A".repeat(5000)}\n-----END CERTIFICATE REQUEST-----\n`);
    expect(answer.status).toBe(400);
    expect(answer.json<{ Description: string }>().Description).toMatch(/at most 4096/);
  });

  it("answers 500 Internal Server Error to an empty or undecodable CSR without sending it to the host", async () => {
    const { csrPem } = opensslCsr(scratchDir(), "robot-corrupted");
    // What OpenBMC's suite sends as its corrupted CSR: a character inserted before the final "==".
    const at = csrPem.lastIndexOf("==");
    const before = stack.bmc.bridge.counters.announces;
    for (const csr of ["", `${csrPem.slice(0, at)}N${csrPem.slice(at)}`]) {
      const answer = await signCsr(csr);
      expect(answer.status).toBe(500);
      expect(answer.json()).toEqual({ Description: "Internal Server Error" });
    }
    expect(stack.bmc.bridge.counters.announces).toBe(before);
  });

  it("lists both targets on the certificate resource", async () => {
    const resource = await curl(`${stack.server.url}${CERTIFICATE_PATH}`, admin);
    expect(resource.status).toBe(200);
    expect(resource.json()).toMatchObject({
      "@odata.id": CERTIFICATE_PATH,
      Actions: { SignCSR: { target: SIGN_CSR_PATH } },
      root: { target: ROOT_CERT_PATH },
    });
  });
});

describe("request bodies SignCSR refuses before the host sees them, as bmcweb answers them", () => {
  const property = (name: string, id: string) => (body: Record<string, unknown>) =>
    expect((body[`${name}@Message.ExtendedInfo`] as { MessageId: string }[])[0]!.MessageId).toBe(`Base.1.8.1.${id}`);
  const error = (id: string) => (body: Record<string, unknown>) => expect((body.error as { code: string }).code).toBe(`Base.1.8.1.${id}`);
  const cases: [string, string, number, (body: Record<string, unknown>) => void, string?][] = [
    ["malformed JSON", '{"CsrString": ', 400, error("MalformedJSON")],
    ["a missing CsrString", '{"CsrString2": "x"}', 400, property("CsrString2", "PropertyUnknown")],
    ["no properties", "{}", 400, property("CsrString", "PropertyMissing")],
    ["an unknown property beside CsrString", '{"CsrString": "x", "Extra": 1}', 400, property("Extra", "PropertyUnknown")],
    ["a CsrString that is not a string", '{"CsrString": 42}', 400, property("CsrString", "PropertyValueTypeError")],
    ["a JSON array", "[]", 400, error("UnrecognizedRequestBody")],
    ["a body over the limit", JSON.stringify({ CsrString: "x".repeat(20_000) }), 413, (body) => expect(body).toEqual({ Description: "Payload Too Large" })],
    ["a body that is not JSON", "CsrString=abc", 400, error("UnrecognizedRequestBody"), "application/x-www-form-urlencoded"],
  ];
  for (const [what, body, status, check, contentType] of cases) {
    it(`answers ${status} for ${what}`, async () => {
      const answer = await curl(`${stack.server.url}${SIGN_CSR_PATH}`, { ...admin, body, contentType });
      expect(answer.status).toBe(status);
      expect(answer.headers["content-type"]).toBe("application/json");
      check(answer.json());
    });
  }

  it("answers 404 JSON for an unknown path", async () => {
    const answer = await curl(`${stack.server.url}/ibm/v1/Host/Nothing`, admin);
    expect(answer.status).toBe(404);
    expect(answer.json()).toEqual({ Description: "Not Found" });
  });
});
