/**
 * The shipped D-Bus policy guards the CA manager's entries on a system-style bus: a non-root
 * connection (busctl run as nobody) may sign and read but not set ClientCertificate or
 * Status, nor delete; root may. The CA manager's own policy is played by a permissive file
 * loaded first, as bmc-vmi-ca's would be.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BusConnection } from "../../src/dbus/bus-connection.js";
import { CaManagerService } from "../../src/dbus/ca-manager.js";
import { CaEntryIface, CaManager, EntryState } from "../../src/dbus/names.js";
import { scratchDir } from "../support/openssl.js";
import { startSystemBus, type SystemBus } from "../support/system-bus.js";

const run = promisify(execFile);
const policy = resolve(import.meta.dirname, "..", "..", "contrib", "dbus", "xyz.openbmc_project.PLDM.HostBridge.conf");
const M = CaManager.service;
const NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"];

let system: SystemBus;
let server: BusConnection;

/** busctl as root, or as nobody through setpriv; the exit code and stderr. */
async function busctl(asNobody: boolean, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const argv = [`--address=${system.address}`, ...args];
  try {
    const { stdout, stderr } = asNobody
      ? await run("setpriv", [...NOBODY, "busctl", ...argv], { timeout: 10_000 })
      : await run("busctl", argv, { timeout: 10_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

beforeAll(async () => {
  if (!isRoot) return;
  const managerPolicy = join(scratchDir(), "ca-manager.conf");
  writeFileSync(
    managerPolicy,
    `<busconfig><policy user="root"><allow own="${M}"/></policy><policy context="default"><allow send_destination="${M}"/></policy></busconfig>`,
  );
  system = await startSystemBus([managerPolicy, policy]);
  server = await BusConnection.connect({ address: system.address, callTimeoutMs: 3000 });
  await CaManagerService.start(server);
});

afterAll(() => {
  server?.close();
  system?.stop();
});

// Telling root from another user takes root: the test runs busctl as nobody through setpriv.
const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)("the D-Bus policy on the CA manager's entries", () => {
  it("lets nobody sign and read, but not write a certificate or Status, nor delete; root may", async () => {
    const signed = await busctl(true, "call", M, CaManager.path, CaManager.authority, "SignCSR", "s", "csr-of-nobody");
    expect(signed.code, signed.stderr).toBe(0);
    const path = /^o "(.+)"$/m.exec(signed.stdout)![1]!;
    expect((await busctl(true, "get-property", M, path, CaEntryIface.entry, "Status")).stdout).toContain("Pending");

    const refused = [
      await busctl(true, "set-property", M, path, CaEntryIface.entry, "ClientCertificate", "s", "forged"),
      await busctl(true, "set-property", M, path, CaEntryIface.entry, "Status", "s", EntryState.Complete),
      await busctl(true, "call", M, path, CaEntryIface.delete, "Delete"),
      await busctl(true, "call", M, CaManager.path, CaManager.deleteAll, "DeleteAll"),
    ];
    for (const r of refused) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/Access denied|AccessDenied/i);
    }
    const entry = await busctl(false, "get-property", M, path, CaEntryIface.entry, "ClientCertificate");
    expect(entry.stdout).toBe('s ""\n');

    expect((await busctl(false, "set-property", M, path, CaEntryIface.entry, "ClientCertificate", "s", "PEM")).code).toBe(0);
    expect((await busctl(false, "set-property", M, path, CaEntryIface.entry, "Status", "s", EntryState.Complete)).code).toBe(0);
    expect((await busctl(false, "call", M, path, CaEntryIface.delete, "Delete")).code).toBe(0);
    expect((await busctl(false, "get-property", M, path, CaEntryIface.entry, "Status")).code).not.toBe(0);
  });
});
