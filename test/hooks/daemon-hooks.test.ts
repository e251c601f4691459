/**
 * Attestation hooks in the deployed daemon: real bash hooks given in a --config file,
 * the REST front, the CA manager and host-sim as processes. A denied CSR never reaches
 * the host and REST answers 400 with the reason; a denied certificate is not written;
 * a denied root leaves RootCert as it was. Counters on the status object.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EntryState } from "../../src/dbus/names.js";
import type { LocalStack } from "../../src/stack/local-stack.js";
import { fingerprintSha256 } from "../../src/x509/index.js";
import { curl, type CurlRequest } from "../rest/curl.js";
import { eventually } from "../support/dbus.js";
import { opensslCsr, scratchDir } from "../support/openssl.js";
import { hostBridgeProperty, signCsr, startStack, waitForRoot, waitForStatus } from "../support/local-stack.js";

const dir = scratchDir("hb-hooks-e2e-");
const denyRootsFlag = join(dir, "deny-roots");

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/bash\ndoc=$(cat)\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

let stack: LocalStack;
let admin: CurlRequest;
const counter = async (name: string) => Number(await hostBridgeProperty(stack, name));

beforeAll(async () => {
  const config = join(dir, "daemon.json");
  writeFileSync(
    config,
    JSON.stringify({
      attestation: {
        keyPolicy: { EC: 256 },
        hooks: {
          "pre-announce": {
            command: [script("pre-announce.sh", 'if grep -q \'"subject":"CN=intruder\' <<<"$doc"; then echo "intruder is not a known HMC"; exit 1; fi')],
          },
          "pre-deliver": {
            command: [
              script("pre-deliver.sh", 'if grep -q \'"subject":"CN=deliver-deny\' <<<"$doc"; then echo "certificate not for us"; exit 1; fi'),
              "--strict",
            ],
          },
          "pre-root": { command: [script("pre-root.sh", `if [ -e ${denyRootsFlag} ]; then echo "root not attested"; exit 1; fi`)], timeoutMs: 5000 },
        },
      },
    }),
  );
  stack = await startStack({ restPort: 0, restArgs: ["--sign-timeout", "20000"], daemonArgs: ["--config", config], hostSimArgs: ["--key", "p256"] });
  admin = { cacert: stack.rest!.caPath, basic: ["root", "0penBmc"] };
  await waitForRoot(stack);
});
afterAll(async () => stack?.stop());

const post = (csrPem: string) => curl(`${stack.rest!.url}/ibm/v1/Host/Actions/SignCSR`, { ...admin, body: JSON.stringify({ CsrString: csrPem }) });

describe("attestation hooks in the daemon", () => {
  it("an allowed CSR completes; a denied one never reaches the host and REST answers 400 with the reason", async () => {
    const ok = await post(opensslCsr(dir, "hmc-1", "ec").csrPem);
    expect(ok.status).toBe(200);
    const announces = await counter("Announces");
    const denied = await post(opensslCsr(dir, "intruder", "ec").csrPem);
    expect(denied.status).toBe(400);
    expect(denied.json()).toEqual({ Description: "Bad CSR: hook denied: intruder is not a known HMC" });
    expect(await counter("Announces")).toBe(announces);
  });

  it("the built-in key policy refuses an RSA CSR before any hook or host sees it", async () => {
    const denied = await post(opensslCsr(dir, "rsa-hmc", "rsa").csrPem);
    expect(denied.status).toBe(400);
    expect(denied.json()).toEqual({ Description: "Bad CSR: key policy: RSA 2048 keys are not allowed (allowed: EC >= 256)" });
  });

  it("a denied certificate is not written to the entry, which ends BadCSR", async () => {
    const path = await signCsr(stack, opensslCsr(dir, "deliver-deny", "ec").csrPem);
    const { status, cert } = await waitForStatus(stack, path);
    expect(status).toBe(EntryState.BadCSR);
    expect(cert).toBe("");
  });

  it("a denied root leaves RootCert in place; the decisions are counted", async () => {
    const before = readFileSync(stack.rootCertPath, "utf8");
    const deniedBefore = await counter("HookDenied");
    writeFileSync(denyRootsFlag, "");
    const { rootFingerprint: oldRoot } = await stack.hostControl({ status: true });
    await stack.hostControl({ power: "reboot" });
    const { rootFingerprint: newRoot } = await stack.hostControl({ status: true });
    expect(newRoot).not.toBe(oldRoot);
    await eventually(async () => ((await counter("HookDenied")) > deniedBefore ? true : undefined), 15_000, "the root denial");
    expect(readFileSync(stack.rootCertPath, "utf8")).toBe(before);
    expect(await fingerprintSha256(before)).toBe(oldRoot);
    // Once the hook allows again, the next root goes in.
    rmSync(denyRootsFlag);
    await stack.hostControl({ power: "reboot" });
    const { rootFingerprint: allowedRoot } = await stack.hostControl({ status: true });
    await eventually(
      async () => ((await fingerprintSha256(readFileSync(stack.rootCertPath, "utf8"))) === allowedRoot ? true : undefined),
      15_000,
      "the allowed root",
    );
    expect(await counter("HookDenied")).toBeGreaterThanOrEqual(4);
    expect(await counter("HookAllowed")).toBeGreaterThanOrEqual(3);
    expect(await counter("HookErrors")).toBe(0);
  }, 60_000);
});
