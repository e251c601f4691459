/**
 * The one row of the table a real host cannot produce (Complete with an empty
 * certificate: host-sim reports an empty write as BadCSR), checked with a CA side
 * that answers it on purpose.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { SIGN_CSR_PATH, startRestServer, type CertAuthority, type RestServer } from "../../src/rest/index.js";
import { opensslCsr, scratchDir } from "../support/openssl.js";
import { curl } from "./curl.js";

const emptyCertificateAuthority: CertAuthority = { signCsr: async () => ({ kind: "complete", certificate: "" }) };
let server: RestServer;

beforeAll(async () => {
  server = await startRestServer({ stateDir: scratchDir(), port: 0 }, emptyCertificateAuthority, silentLogger);
});
afterAll(async () => server?.close());

it("answers 500 Empty Client Certificate when Status is Complete but the certificate is empty", async () => {
  const answer = await curl(`${server.url}${SIGN_CSR_PATH}`, {
    cacert: server.caPath,
    basic: ["root", "0penBmc"],
    body: JSON.stringify({ CsrString: opensslCsr(scratchDir(), "empty-cert").csrPem }),
  });
  expect(answer.status).toBe(500);
  expect(answer.json()).toEqual({ Description: "Empty Client Certificate" });
});
