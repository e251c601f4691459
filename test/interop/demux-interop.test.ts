/**
 * Our daemon and host-sim through real libmctp mctp-demux-daemon processes (issue 12):
 * SignCSR to Complete with a certificate openssl verifies, the host's root in RootCert, a
 * host reboot, both ends on libmctp, and the demux daemon killed and restarted mid-run.
 */
import { afterEach, describe, expect, it } from "vitest";
import { EntryState } from "../../src/dbus/names.js";
import { eventually } from "../support/dbus.js";
import { opensslCsr, opensslVerify, publicKeyOf, scratchDir } from "../support/openssl.js";
import { DemuxRig } from "./demux-rig.js";
import { peersMissing } from "./peers.js";

if (peersMissing) console.warn(`skipping the mctp-demux interop tests: ${peersMissing}`);

let rig: DemuxRig | null = null;
afterEach(async () => {
  await rig?.stop();
  rig = null;
});

async function signAndVerify(r: DemuxRig, name: string): Promise<string> {
  const dir = scratchDir();
  const { csrPem } = opensslCsr(dir, name, "ec");
  const path = await r.signCsr(csrPem);
  const out = await r.waitForStatus(path);
  expect(out.status).toBe(EntryState.Complete);
  expect(publicKeyOf("x509", out.cert)).toBe(publicKeyOf("req", csrPem));
  const root = await r.waitForRoot();
  expect(opensslVerify(dir, root, out.cert)).toMatch(/: OK$/);
  return root;
}

describe.skipIf(peersMissing !== null)("through libmctp's mctp-demux-daemon", () => {
  it("host-sim on the serial line, our daemon a demux client: SignCSR, root push, host reboot", async () => {
    rig = await DemuxRig.start("tty");
    const firstRoot = await rig.waitForRoot();
    expect(firstRoot).toMatch(/^-----BEGIN CERTIFICATE-----/);
    await signAndVerify(rig, "demux-a1");
    expect(await rig.status("HostLinkState")).toBe("up");
    expect(await rig.status("LinkState")).toBe("up");
    // A reboot makes a new root: it replaces RootCert, and new certificates chain to it.
    await rig.hostControl({ power: "reboot" });
    const secondRoot = await rig.waitForRoot(firstRoot);
    const root = await signAndVerify(rig, "demux-a2");
    expect(root).toBe(secondRoot);
    expect(await rig.status("Completed")).toBe("2");
  }, 90_000);

  it("both ends on libmctp: host-sim a client of a second mctp-demux-daemon", async () => {
    rig = await DemuxRig.start("demux");
    const firstRoot = await rig.waitForRoot();
    await signAndVerify(rig, "demux-b1");
    await rig.hostControl({ power: "reboot" });
    const secondRoot = await rig.waitForRoot(firstRoot);
    expect(await signAndVerify(rig, "demux-b2")).toBe(secondRoot);
  }, 90_000);

  it("the BMC's demux daemon killed and restarted mid-run: every entry completes once", async () => {
    rig = await DemuxRig.start("tty");
    await rig.waitForRoot();
    const dir = scratchDir();
    const csrs = Array.from({ length: 6 }, (_, i) => opensslCsr(dir, `demux-c${i}`, "ec").csrPem);
    const paths: string[] = [];
    for (const [i, csr] of csrs.entries()) {
      paths.push(await rig.signCsr(csr));
      if (i === 2) {
        await rig.killBmcDemux();
        await eventually(async () => ((await rig!.status("LinkState")) === "connecting" ? true : undefined), 10_000, "LinkState connecting");
        await new Promise((r) => setTimeout(r, 500));
        await rig.startBmcDemux();
      }
    }
    await eventually(async () => ((await rig!.status("LinkState")) === "up" ? true : undefined), 15_000, "LinkState up again");
    const outs = await Promise.all(paths.map((p) => rig!.waitForStatus(p, 60_000)));
    outs.forEach((o, i) => {
      expect(o.status).toBe(EntryState.Complete);
      expect(publicKeyOf("x509", o.cert)).toBe(publicKeyOf("req", csrs[i]!));
    });
    // None lost, none duplicated: six entries, six certificates signed by the host, once each.
    expect((await rig.entries()).length).toBe(6);
    expect(await rig.status("Completed")).toBe("6");
    const host = await rig.hostControl({ status: true });
    expect(host.signed).toBe(6);
  }, 120_000);
});
