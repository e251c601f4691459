/**
 * A daemon that finds a Pending entry already holding a certificate (an earlier run stopped
 * between its two writes) finishes it only when the certificate is for the entry's CSR key;
 * any other certificate is signed over.
 */
import { describe, expect, it } from "vitest";
import { VmiCa } from "../../host-sim/vmi-ca.js";
import { EntryState } from "../../src/dbus/names.js";
import { busctl } from "../support/dbus.js";
import { opensslCsr, publicKeyOf, scratchDir } from "../support/openssl.js";
import { signCsr, stackPerTest, startStack, waitForStatus } from "../support/local-stack.js";

const held = stackPerTest();
const M = "xyz.openbmc_project.Certs.ca.authority.Manager";

describe("a Pending entry left with a certificate", () => {
  it("is finished when the certificate is its own, and signed again when it is not", async () => {
    const stack = (held.stack = await startStack({ hostSimArgs: ["--host-off"], daemonArgs: ["--response-timeout", "300", "--retries", "1"] }));
    const dir = scratchDir();
    const [own, foreign] = [opensslCsr(dir, "own", "ec").csrPem, opensslCsr(dir, "foreign", "ec").csrPem];
    const ownPath = await signCsr(stack, own);
    const foreignPath = await signCsr(stack, foreign);
    await stack.stopPart("daemon", "SIGKILL");
    const ca = new VmiCa({ keyKind: "p256", rootValidityDays: 30, clientValidityDays: 30 });
    await ca.newRoot(1);
    const ownCert = await ca.sign(own);
    // The foreign entry holds the certificate of the other entry's key.
    for (const [path, cert] of [
      [ownPath, ownCert],
      [foreignPath, ownCert],
    ] as const) {
      expect((await busctl(stack.bus, "set-property", M, path, "xyz.openbmc_project.Certs.Entry", "ClientCertificate", "s", "--", cert)).code).toBe(0);
    }
    await stack.startPart("daemon");
    const finished = await waitForStatus(stack, ownPath);
    // The host is off: nothing but the finishing write can have completed it.
    expect(finished).toEqual({ status: EntryState.Complete, cert: ownCert });
    await stack.hostControl({ power: "on" });
    const resigned = await waitForStatus(stack, foreignPath, 30_000);
    expect(resigned.status).toBe(EntryState.Complete);
    expect(publicKeyOf("x509", resigned.cert)).toBe(publicKeyOf("req", foreign));
  }, 60_000);
});
