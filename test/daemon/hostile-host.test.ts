/**
 * A hostile host against the daemon as shipped (dbus-daemon, CA manager, daemon, host-sim on
 * its pty): each bad root and each bad certificate is answered with an error, RootCert and
 * the entries stay as they were, and the status object counts every refusal.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BAD_CERTS, BAD_ROOTS } from "../../host-sim/hostile.js";
import { EntryState } from "../../src/dbus/names.js";
import { createRootCa, generateKeyPair } from "../../src/x509/index.js";
import { CaClient } from "../support/ca-client.js";
import { eventually } from "../support/dbus.js";
import { opensslCsr, opensslVerify, publicKeyOf, scratchDir } from "../support/openssl.js";
import { hostBridgeProperty, readRoot, signCsr, startStack, waitForRoot, stackPerTest, waitForStatus } from "../support/local-stack.js";

const held = stackPerTest();

const counter = async (name: string) => Number(await hostBridgeProperty(held.stack!, name));

describe("a hostile host pushing bad roots", () => {
  for (const kind of BAD_ROOTS) {
    it(`${kind}: every push answered with an error, RootCert untouched, each refusal counted`, async () => {
      const stateDir = mkdtempSync(join(tmpdir(), "hb-stack-"));
      const good = await createRootCa({ keys: await generateKeyPair("p256"), subject: "CN=the root in place", validityDays: 30 });
      writeFileSync(join(stateDir, "RootCert"), good);
      const stack = (held.stack = await startStack({ stateDir, hostSimArgs: ["--faults", `bad-root=${kind}`] }));
      // host-sim pushes again a second after each refusal.
      await eventually(async () => ((await counter("RootsRefused")) >= 2 ? true : undefined), 20_000, "two refused roots");
      const host = await stack.hostControl({ status: true });
      expect(host.rootPushes).toBe(0);
      expect(readRoot(stack)).toBe(good);
      expect(await hostBridgeProperty(stack, "RootFingerprint")).not.toBe("");
      expect(readFileSync(join(stateDir, "logs", "daemon.log"), "utf8")).toMatch(/"fingerprint":"([0-9A-F]{2}:){31}[0-9A-F]{2}".*refused a root certificate/);
    }, 60_000);
  }
});

describe("a hostile host pushing bad certificates", () => {
  for (const kind of BAD_CERTS) {
    it(`${kind}: answered with an error, the entry stays Pending and ends with its own certificate`, async () => {
      const stack = (held.stack = await startStack({ hostSimArgs: ["--faults", `bad-cert=${kind},bad-times=1`] }));
      const root = await waitForRoot(stack);
      const client = (held.client = await CaClient.connect(stack.bus.address));
      const dir = scratchDir();
      const { csrPem } = opensslCsr(dir, `hmc-${kind}`, "ec");
      const path = await signCsr(stack, csrPem);
      await eventually(async () => ((await counter("CertificatesRefused")) >= 1 ? true : undefined), 20_000, "the bad certificate refused");
      // Announced again, the now honest host signs it; the client saw every write to the entry.
      const out = await waitForStatus(stack, path, 30_000);
      expect(out.status).toBe(EntryState.Complete);
      expect(publicKeyOf("x509", out.cert)).toBe(publicKeyOf("req", csrPem));
      expect(opensslVerify(dir, root, out.cert)).toMatch(/: OK$/);
      expect(client.entries.get(path)?.certWrites).toEqual([out.cert]);
      expect(await counter("CertificatesRefused")).toBe(1);
      expect(((await stack.hostControl({ status: true })).failedTransfers as number) >= 1).toBe(true);
    }, 60_000);
  }
});
