/**
 * The attack of issue 10 at the D-Bus level, against the real processes: SignCSR A, the host
 * takes its time signing, the CA manager restarts (forgetting its numbering, or with its
 * state file torn), SignCSR B. B's entry never receives A's certificate; B ends with its own.
 */
import { readdirSync, readFileSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EntryState } from "../../src/dbus/names.js";
import type { LocalStack } from "../../src/stack/local-stack.js";
import { CaClient } from "../support/ca-client.js";
import { eventually } from "../support/dbus.js";
import { opensslCsr, publicKeyOf, scratchDir } from "../support/openssl.js";
import { entryProperty, hostBridgeProperty, signCsr, startStack, waitForRoot, stackPerTest, waitForStatus } from "../support/local-stack.js";

const held = stackPerTest();

/**
 * Starts a stack whose host holds each certificate 12 s, signs A and waits until the host has
 * A's CSR: long enough for the CA manager to restart and B to be taken up before A's arrives,
 * even on a loaded machine (a restart takes 1-2 s, up to 8 s under load).
 */
async function signAWhileHostSlow(persistCaEntries: boolean) {
  const stack = (held.stack = await startStack({ persistCaEntries, hostSimArgs: ["--faults", "sign-delay=12000"] }));
  await waitForRoot(stack);
  const dir = scratchDir();
  const a = opensslCsr(dir, "hmc-A", "ec").csrPem;
  const b = opensslCsr(dir, "hmc-B", "ec").csrPem;
  const pathA = await signCsr(stack, a);
  await eventually(async () => (((await stack.hostControl({ status: true })).inFlight as number) >= 1 ? true : undefined), 10_000, "the host signing A");
  return { stack, a, b, pathA };
}

/** Kills and starts the CA manager, `between` running while it is down; then a client records every entry write. */
async function restartCaManager(stack: LocalStack, between: () => void = () => undefined): Promise<CaClient> {
  await stack.stopPart("ca-manager", "SIGKILL");
  between();
  await stack.startPart("ca-manager");
  return (held.client = await CaClient.connect(stack.bus.address));
}

describe("a CA manager restart while the host signs", () => {
  it("an in-memory manager reuses A's id for B: A's certificate is refused there, B gets its own", async () => {
    const { stack, a, b, pathA } = await signAWhileHostSlow(false);
    const client = await restartCaManager(stack);
    const pathB = await signCsr(stack, b);
    expect(pathB).toBe(pathA); // bmc-vmi-ca's numbering starts again
    const out = await waitForStatus(stack, pathB, 60_000);
    expect(out.status).toBe(EntryState.Complete);
    expect(publicKeyOf("x509", out.cert)).toBe(publicKeyOf("req", b));
    expect(publicKeyOf("x509", out.cert)).not.toBe(publicKeyOf("req", a));
    // A's certificate came for the reused handle and was refused; it was never written to B.
    expect(Number(await hostBridgeProperty(stack, "CertificatesRefused")), "A's certificate reached the reused handle and was refused").toBeGreaterThanOrEqual(
      1,
    );
    for (const cert of client.entries.get(pathB)!.certWrites) expect(publicKeyOf("x509", cert)).toBe(publicKeyOf("req", b));
  }, 120_000);

  it("a torn state file: A's entry is gone (kept aside), B gets a new id and its own certificate", async () => {
    const { stack, b, pathA } = await signAWhileHostSlow(true);
    const statePath = join(stack.opts.stateDir, "ca-entries.json");
    const client = await restartCaManager(stack, () => truncateSync(statePath, Math.floor(readFileSync(statePath).length / 2)));
    expect(readdirSync(stack.opts.stateDir).some((n) => n.startsWith("ca-entries.json.corrupt-"))).toBe(true);
    const pathB = await signCsr(stack, b);
    expect(pathB).not.toBe(pathA);
    const out = await waitForStatus(stack, pathB, 60_000);
    expect(out.status).toBe(EntryState.Complete);
    expect(publicKeyOf("x509", out.cert)).toBe(publicKeyOf("req", b));
    // A's certificate found no entry to land in: its handle is no longer announced.
    expect(await entryProperty(stack, pathA, "Status")).toBeNull();
    expect(client.entries.get(pathB)!.certWrites).toEqual([out.cert]);
  }, 120_000);
});
