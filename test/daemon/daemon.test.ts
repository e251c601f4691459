/**
 * The daemon as shipped: its own process on a private dbus-daemon with the CA manager,
 * host-sim on its pty, driven by busctl and dbus-send, checked with openssl.
 */
import { afterEach, describe, expect, it } from "vitest";
import { EntryState } from "../../src/dbus/names.js";
import type { LocalStack } from "../../src/stack/local-stack.js";
import { busctl, dbusSend, eventually } from "../support/dbus.js";
import { opensslCsr, opensslVerify, publicKeyOf, scratchDir } from "../support/openssl.js";
import { entryProperty, hostBridgeProperty, readRoot, signCsr, startStack, waitForRoot, waitForStatus } from "../support/local-stack.js";

let stack: LocalStack | null = null;
afterEach(async () => {
  await stack?.stop();
  stack = null;
});

describe("hostbridge daemon end to end", () => {
  it("a busctl SignCSR ends Complete with a certificate openssl verifies against RootCert", async () => {
    stack = await startStack();
    const dir = scratchDir();
    const { csrPem } = opensslCsr(dir, "hmc-1");
    const path = await signCsr(stack, csrPem);
    expect(path).toBe("/xyz/openbmc_project/certs/ca/entry/1");
    const out = await waitForStatus(stack, path);
    expect(out.status).toBe(EntryState.Complete);
    expect(publicKeyOf("x509", out.cert)).toBe(publicKeyOf("req", csrPem));
    const root = await waitForRoot(stack);
    expect(opensslVerify(dir, root, out.cert)).toMatch(/: OK$/);
    expect(await hostBridgeProperty(stack, "Completed")).toBe("1");
    expect(await hostBridgeProperty(stack, "HostLinkState")).toBe("up");
    // A root, a CSR and a certificate crossed the line: well over 2 KB each way in all.
    expect(Number(await hostBridgeProperty(stack, "RxBytes")) + Number(await hostBridgeProperty(stack, "TxBytes"))).toBeGreaterThan(2500);
    const intro = await busctl(stack.bus, "introspect", "xyz.openbmc_project.PLDM.HostBridge", "/xyz/openbmc_project/pldm/hostbridge");
    expect(intro.stdout).toMatch(/\.RootFingerprint\s+property\s+s\s+"[0-9A-F:]{95}"/);
  });

  it("sends nothing to the host for an InterfacesAdded spoofed by another connection", async () => {
    stack = await startStack();
    await waitForRoot(stack);
    const spoof = await dbusSend(
      stack.bus,
      "--type=signal",
      "/xyz/openbmc_project/certs/ca",
      "org.freedesktop.DBus.ObjectManager.InterfacesAdded",
      "objpath:/xyz/openbmc_project/certs/ca/entry/7",
      "dict:string:string:xyz.openbmc_project.PLDM.Provider.Certs.Authority.CSR,x",
    );
    expect(spoof.code).toBe(0);
    await eventually(async () => ((await hostBridgeProperty(stack!, "SpoofedSignals")) === "1" ? true : undefined), 5000, "spoof counted");
    expect(await hostBridgeProperty(stack, "Announces")).toBe("0");
    expect(await hostBridgeProperty(stack, "Pending")).toBe("0");
  });

  it("a host off then on completes a Pending entry without a new request", async () => {
    stack = await startStack({ hostSimArgs: ["--host-off"], daemonArgs: ["--response-timeout", "300", "--retries", "1"] });
    const { csrPem } = opensslCsr(scratchDir(), "patient");
    const path = await signCsr(stack, csrPem);
    await eventually(async () => ((await hostBridgeProperty(stack!, "HostLinkState")) === "down" ? true : undefined), 10_000, "host seen down");
    expect(await entryProperty(stack, path, "Status")).toBe(EntryState.Pending);
    await stack.hostControl({ power: "on" });
    const out = await waitForStatus(stack, path);
    expect(out.status).toBe(EntryState.Complete);
    expect(publicKeyOf("x509", out.cert)).toBe(publicKeyOf("req", csrPem));
  });

  it("finishes every entry when the daemon is killed mid-exchange and started again", async () => {
    // A slow signer keeps the exchanges in flight when the daemon dies.
    stack = await startStack({ hostSimArgs: ["--faults", "sign-delay=800"] });
    await waitForRoot(stack);
    const dir = scratchDir();
    const csrs = Array.from({ length: 4 }, (_, i) => opensslCsr(dir, `restart-${i}`, "ec").csrPem);
    const paths = await Promise.all(csrs.map((c) => signCsr(stack!, c)));
    await new Promise((r) => setTimeout(r, 300));
    expect(await entryProperty(stack, paths[0]!, "Status")).toBe(EntryState.Pending);
    await stack.stopPart("daemon", "SIGKILL");
    await stack.startPart("daemon");
    const outs = await Promise.all(paths.map((p) => waitForStatus(stack!, p, 30_000)));
    outs.forEach((o, i) => {
      expect(o.status).toBe(EntryState.Complete);
      expect(publicKeyOf("x509", o.cert)).toBe(publicKeyOf("req", csrs[i]!));
    });
  }, 60_000);

  it("takes up Pending entries again when the CA manager restarts", async () => {
    stack = await startStack({ hostSimArgs: ["--host-off"], daemonArgs: ["--response-timeout", "300", "--retries", "1"] });
    const { csrPem } = opensslCsr(scratchDir(), "survivor");
    const path = await signCsr(stack, csrPem);
    await stack.stopPart("ca-manager", "SIGKILL");
    await stack.startPart("ca-manager");
    expect(await entryProperty(stack, path, "Status")).toBe(EntryState.Pending);
    await stack.hostControl({ power: "on" });
    const out = await waitForStatus(stack, path);
    expect(out.status).toBe(EntryState.Complete);
  });

  it("stops on SIGTERM within 2 s, leaving Pending entries Pending", async () => {
    stack = await startStack({ hostSimArgs: ["--host-off"], daemonArgs: ["--response-timeout", "300"] });
    const path = await signCsr(stack, opensslCsr(scratchDir(), "left").csrPem);
    const r = await stack.stopPart("daemon", "SIGTERM");
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(2000);
    expect(await entryProperty(stack, path, "Status")).toBe(EntryState.Pending);
  });

  it("replaces RootCert on each host reboot while a reader never sees a partial or empty file", async () => {
    stack = await startStack();
    const first = await waitForRoot(stack);
    const seen = new Set<string>();
    let bad = 0;
    let reads = 0;
    let reading = true;
    const { readFile } = await import("node:fs/promises");
    const reader = (async () => {
      while (reading) {
        const text = await readFile(stack.rootCertPath, "utf8");
        reads++;
        if (!/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n?$/.test(text)) bad++;
        seen.add(text);
      }
    })();
    let current = first;
    for (let i = 0; i < 3; i++) {
      const before = current;
      await stack.hostControl({ power: "reboot" });
      current = await eventually(
        () => {
          const now = readRoot(stack!);
          return now !== before ? now : undefined;
        },
        15_000,
        "a new root",
      );
    }
    reading = false;
    await reader;
    expect(bad).toBe(0);
    expect(reads).toBeGreaterThan(100);
    expect(seen.size).toBe(4);
    expect(seen.has(first)).toBe(true);
    const { fingerprintSha256 } = await import("../../src/x509/index.js");
    const fp = await fingerprintSha256(current);
    await eventually(async () => ((await hostBridgeProperty(stack!, "RootFingerprint")) === fp ? true : undefined), 5000, "status fingerprint");
  }, 60_000);
});
