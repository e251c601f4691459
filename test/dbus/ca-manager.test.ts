import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BusConnection, ReceivedSignal } from "../../src/dbus/bus-connection.js";
import { CaManagerService } from "../../src/dbus/ca-manager.js";
import { CaManager, EntryState } from "../../src/dbus/names.js";
import type { PrivateBus } from "../../src/os/dbus-daemon-process.js";
import { busctl, connect, dbusSend, eventually, privateBus } from "../support/dbus.js";

const M = CaManager.service;
let bus: PrivateBus;
let server: BusConnection;
let watcher: BusConnection;
const added: ReceivedSignal[] = [];
const removed: ReceivedSignal[] = [];
const spoofs: string[] = [];

beforeAll(async () => {
  bus = await privateBus();
  server = await connect(bus);
  await CaManagerService.start(server);
  watcher = await connect(bus);
  watcher.on("spoofed", (_m, sender) => spoofs.push(sender));
  const om = { sender: M, path: CaManager.path, interface: "org.freedesktop.DBus.ObjectManager" };
  await watcher.onSignal({ ...om, member: "InterfacesAdded" }, (s) => added.push(s));
  await watcher.onSignal({ ...om, member: "InterfacesRemoved" }, (s) => removed.push(s));
});

afterAll(async () => {
  watcher?.close();
  server?.close();
  await bus?.stop();
});

describe("CA manager on a private bus, driven by busctl", () => {
  it("SignCSR makes entry 1, 2, ... holding the CSR, Pending, announced by InterfacesAdded", async () => {
    const r1 = await busctl(bus, "call", M, CaManager.path, CaManager.authority, "SignCSR", "s", "csr-one");
    expect(r1).toMatchObject({ code: 0, stdout: 'o "/xyz/openbmc_project/certs/ca/entry/1"\n' });
    const r2 = await busctl(bus, "call", M, CaManager.path, CaManager.authority, "SignCSR", "s", "csr-two");
    expect(r2.stdout).toBe('o "/xyz/openbmc_project/certs/ca/entry/2"\n');
    const csr = await busctl(bus, "get-property", M, "/xyz/openbmc_project/certs/ca/entry/2", "xyz.openbmc_project.PLDM.Provider.Certs.Authority.CSR", "CSR");
    expect(csr.stdout).toBe('s "csr-two"\n');
    const status = await busctl(bus, "get-property", M, "/xyz/openbmc_project/certs/ca/entry/1", "xyz.openbmc_project.Certs.Entry", "Status");
    expect(status.stdout).toBe(`s "${EntryState.Pending}"\n`);
    await eventually(() => (added.length >= 2 ? true : undefined), 5000, "two InterfacesAdded");
    const [path, ifaces] = added[0]!.body as [string, Record<string, Record<string, { value: unknown }>>];
    expect(path).toBe("/xyz/openbmc_project/certs/ca/entry/1");
    expect(ifaces["xyz.openbmc_project.PLDM.Provider.Certs.Authority.CSR"]!.CSR!.value).toBe("csr-one");
    expect(Object.keys(ifaces)).toContain("xyz.openbmc_project.Object.Delete");
  });

  it("refuses an empty CSR and one over 4096 bytes with InvalidArgument", async () => {
    const empty = await busctl(bus, "call", M, CaManager.path, CaManager.authority, "SignCSR", "s", "");
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/empty/);
    const big = await dbusSend(bus, "--print-reply", `--dest=${M}`, CaManager.path, `${CaManager.authority}.SignCSR`, `string:${"A".repeat(4097)}`);
    expect(big.code).not.toBe(0);
    expect(big.stderr).toContain("xyz.openbmc_project.Common.Error.InvalidArgument");
    const exact = await dbusSend(bus, "--print-reply", `--dest=${M}`, CaManager.path, `${CaManager.authority}.SignCSR`, `string:${"A".repeat(4096)}`);
    expect(exact.code).toBe(0);
  });

  it("keeps CSR read-only and Status to the three states, and lets the PLDM side write results", async () => {
    const path = "/xyz/openbmc_project/certs/ca/entry/1";
    const setCsr = await busctl(bus, "set-property", M, path, "xyz.openbmc_project.PLDM.Provider.Certs.Authority.CSR", "CSR", "s", "forged");
    expect(setCsr.code).not.toBe(0);
    expect(setCsr.stderr).toMatch(/not writable/);
    const badStatus = await busctl(bus, "set-property", M, path, "xyz.openbmc_project.Certs.Entry", "Status", "s", "Done");
    expect(badStatus.code).not.toBe(0);
    expect((await busctl(bus, "get-property", M, path, "xyz.openbmc_project.Certs.Entry", "Status")).stdout).toContain("Pending");
    expect((await busctl(bus, "set-property", M, path, "xyz.openbmc_project.Certs.Entry", "ClientCertificate", "s", "PEM")).code).toBe(0);
    expect((await busctl(bus, "set-property", M, path, "xyz.openbmc_project.Certs.Entry", "Status", "s", EntryState.Complete)).code).toBe(0);
    const all = await busctl(bus, "--json=short", "call", M, CaManager.path, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects");
    const objects = (JSON.parse(all.stdout) as { data: [Record<string, Record<string, Record<string, { data: unknown }>>>] }).data[0];
    expect(objects[path]!["xyz.openbmc_project.Certs.Entry"]).toEqual({
      ClientCertificate: { type: "s", data: "PEM" },
      Status: { type: "s", data: EntryState.Complete },
    });
  });

  it("is visible to busctl tree and introspect", async () => {
    const tree = await busctl(bus, "tree", M);
    expect(tree.stdout).toContain("/xyz/openbmc_project/certs/ca/entry/1");
    const intro = await busctl(bus, "introspect", M, "/xyz/openbmc_project/certs/ca/entry/1");
    expect(intro.stdout).toMatch(/\.CSR\s+property\s+s\s+"csr-one"\s+const/);
    expect(intro.stdout).toMatch(/\.Status\s+property\s+s\s+"xyz\.openbmc_project\.Certs\.Entry\.State\.Complete"\s+emits-change writable/);
  });

  it("Delete and DeleteAll remove entries with InterfacesRemoved", async () => {
    expect((await busctl(bus, "call", M, "/xyz/openbmc_project/certs/ca/entry/1", "xyz.openbmc_project.Object.Delete", "Delete")).code).toBe(0);
    await eventually(() => (removed.some((s) => s.body[0] === "/xyz/openbmc_project/certs/ca/entry/1") ? true : undefined), 5000, "InterfacesRemoved");
    expect((await busctl(bus, "call", M, CaManager.path, CaManager.deleteAll, "DeleteAll")).code).toBe(0);
    const all = await busctl(bus, "call", M, CaManager.path, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects");
    expect(all.stdout.trim()).toBe("a{oa{sa{sv}}} 0");
    const gone = await busctl(bus, "get-property", M, "/xyz/openbmc_project/certs/ca/entry/2", "xyz.openbmc_project.Certs.Entry", "Status");
    expect(gone.code).not.toBe(0);
  });

  it("ignores an InterfacesAdded sent by anyone but the CA manager, and reports it", async () => {
    const before = added.length;
    const spoof = await dbusSend(
      bus,
      "--type=signal",
      CaManager.path,
      "org.freedesktop.DBus.ObjectManager.InterfacesAdded",
      "objpath:/xyz/openbmc_project/certs/ca/entry/99",
      "dict:string:string:x,y",
    );
    expect(spoof.code).toBe(0);
    await eventually(() => (spoofs.length > 0 ? true : undefined), 5000, "spoof report");
    // A real signal after the spoof arrives, the spoof never does.
    await busctl(bus, "call", M, CaManager.path, CaManager.authority, "SignCSR", "s", "after-spoof");
    await eventually(() => (added.length > before ? true : undefined), 5000, "the real InterfacesAdded");
    expect(added.slice(before).map((s) => s.body[0])).toEqual(["/xyz/openbmc_project/certs/ca/entry/4"]);
  });
});
