import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RETRY_AFTER_SECONDS, ROOT_CERT_PATH, SIGN_CSR_PATH } from "../../src/rest/index.js";
import { startBridgeStack, type BridgeStack } from "../support/bridge-authority.js";
import { opensslCsr, scratchDir } from "../support/openssl.js";
import { curl, type CurlRequest } from "./curl.js";

const SIGN_WAIT_MS = 1500;
let stack: BridgeStack;
let admin: CurlRequest;

beforeAll(async () => {
  stack = await startBridgeStack({ hostSimArgs: ["--host-off"], awaitRoot: false, rest: { signWaitMs: SIGN_WAIT_MS } });
  admin = { cacert: stack.server.caPath, basic: ["root", "0penBmc"] };
});
afterAll(async () => stack?.close());

async function expectHostNotReady(): Promise<void> {
  const { csrPem } = opensslCsr(scratchDir(), "while-off");
  const started = Date.now();
  const answer = await curl(`${stack.server.url}${SIGN_CSR_PATH}`, { ...admin, body: JSON.stringify({ CsrString: csrPem }) });
  expect(answer.status).toBe(503);
  expect(answer.headers["retry-after"]).toBe(String(RETRY_AFTER_SECONDS));
  expect(answer.json()).toEqual({ Description: "Host is not ready to serve the request" });
  expect(Date.now() - started).toBeGreaterThanOrEqual(SIGN_WAIT_MS - 50);
  // The entry was dropped: nothing is left announcing to the dead host.
  expect(stack.bmc.bridge.pendingCount()).toBe(0);
}

describe("a powered-off host", () => {
  it("has no root before its first boot: the root route answers 500", async () => {
    const answer = await curl(`${stack.server.url}${ROOT_CERT_PATH}`, admin);
    expect(answer.status).toBe(500);
    expect(answer.json()).toEqual({ Description: "Internal Server Error" });
  });

  it("gets SignCSR a 503 with Retry-After once the wait runs out", async () => {
    await expectHostNotReady();
  });

  it("keeps serving the last root after the host powers off, while SignCSR answers 503", async () => {
    const root = stack.nextRootWritten();
    await stack.power("on");
    const rootPem = await root;
    await stack.power("off");
    const answer = await curl(`${stack.server.url}${ROOT_CERT_PATH}`, admin);
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ Certificate: rootPem });
    await expectHostNotReady();
  });
});
