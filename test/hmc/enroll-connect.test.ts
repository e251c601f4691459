import { cpSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentialPaths } from "../../src/hmc/index.js";
import { createCsr, createRootCa, exportPrivateKeyPem, fingerprintSha256, generateKeyPair, issueClientCertificate, parseCsr } from "../../src/x509/index.js";
import { startBridgeStack, type BridgeStack } from "../support/bridge-authority.js";
import { opensslVerify, scratchDir } from "../support/openssl.js";
import { runCli } from "../support/run-process.js";

let stack: BridgeStack;
let vmi: string;

/** host-sim writes its VMI TLS port to its status file once listening. */
async function vmiTlsAddress(stateDir: string): Promise<string> {
  for (let tries = 0; tries < 100; tries++) {
    try {
      const status = JSON.parse(readFileSync(join(stateDir, "host-sim.json"), "utf8")) as { vmiTls: { host: string; port: number } | null };
      if (status.vmiTls) return `${status.vmiTls.host}:${status.vmiTls.port}`;
    } catch {
      /* not written yet */
    }
    await sleep(100);
  }
  throw new Error("host-sim never reported its VMI TLS port");
}

beforeAll(async () => {
  stack = await startBridgeStack({ hostSimArgs: ["--vmi-tls-port", "0"] });
  vmi = await vmiTlsAddress(stack.hostSimStateDir);
});
afterAll(async () => stack?.close());

const enrollInto = (out: string, extra: string[] = []) =>
  runCli(["hmc", "enroll", "--url", stack.server.url, "--ca-file", stack.server.caPath, "--out", out, "--subject", "CN=hmc-test,O=IBM", ...extra]);
const connectWith = (dir: string) => runCli(["hmc", "connect", "--vmi", vmi, "--dir", dir]);

describe("hostbridge hmc against the REST front and a real host-sim", () => {
  it("enrolls, writes the three files (key 0600), and connects to the VMI over mutual TLS", async () => {
    const out = join(scratchDir(), "hmc");
    const enrolled = await enrollInto(out, ["--key", "p256"]);
    expect(enrolled.stderr).toBe("");
    expect(enrolled.code).toBe(0);
    expect(enrolled.stdout).toMatch(/^enrolled CN=hmc-test, O=IBM/);
    const paths = credentialPaths(out);
    expect(statSync(paths.clientKey).mode & 0o777).toBe(0o600);
    expect(opensslVerify(scratchDir(), readFileSync(paths.rootCert, "utf8"), readFileSync(paths.clientCert, "utf8"))).toMatch(/: OK$/);
    expect(readFileSync(paths.rootCert, "utf8")).toBe(readFileSync(stack.rootPath, "utf8"));

    const connected = await connectWith(out);
    expect(connected.code).toBe(0);
    expect(connected.stdout).toContain("VMI OK CN=hmc-test, O=IBM");
  });

  it("fails to connect with a client certificate from another root, and says why", async () => {
    const out = join(scratchDir(), "hmc");
    expect((await enrollInto(out)).code).toBe(0);
    // Same VMI root for the server check, but a client certificate from a CA the VMI never made.
    const strangerKeys = await generateKeyPair("p256");
    const stranger = { cert: await createRootCa({ keys: strangerKeys, subject: "CN=VMI CA,O=IBM", validityDays: 30 }), keys: strangerKeys };
    const clientKeys = await generateKeyPair("p256");
    const csr = await parseCsr(await createCsr({ keys: clientKeys, subject: "CN=hmc-test,O=IBM" }));
    const paths = credentialPaths(out);
    writeFileSync(paths.clientCert, await issueClientCertificate({ ca: stranger, csr, validityDays: 7 }));
    writeFileSync(paths.clientKey, await exportPrivateKeyPem(clientKeys.privateKey));

    const refused = await connectWith(out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused: the VMI refused our client certificate.*enroll again/);
    expect(refused.stdout).toBe("");
  });

  it("after a VMI reboot: the old credentials fail, a new enroll names both roots and works again", async () => {
    const out = join(scratchDir(), "hmc");
    expect((await enrollInto(out)).code).toBe(0);
    const oldRoot = await fingerprintSha256(readFileSync(credentialPaths(out).rootCert, "utf8"));
    const kept = join(scratchDir(), "before-reboot");
    cpSync(out, kept, { recursive: true });

    const newRoot = stack.nextRootWritten();
    await stack.power("reboot");
    const newRootFingerprint = await fingerprintSha256(await newRoot);
    expect(newRootFingerprint).not.toBe(oldRoot);

    const stale = await connectWith(kept);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/server-untrusted: .*enroll again/);

    const again = await enrollInto(out);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("the VMI root changed since the last enroll");
    expect(again.stdout).toContain(`was  ${oldRoot}`);
    expect(again.stdout).toContain(`now  ${newRootFingerprint}`);
    expect((await connectWith(out)).code).toBe(0);
  });

  it("reports the BMC's answer when enroll is refused, and writes nothing", async () => {
    const out = join(scratchDir(), "hmc");
    const refused = await enrollInto(out, ["--password", "wrong"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("SignCSR answered 401: Unauthorized");
    expect(() => statSync(out)).toThrow();
  });
});
