/** The real services (CA manager, host state) answer bad calls with sd-bus's and sdbusplus's errors. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BusConnection } from "../../src/dbus/bus-connection.js";
import { CaManagerService } from "../../src/dbus/ca-manager.js";
import { HostStateService } from "../../src/dbus/host-state-service.js";
import { CaManager, HostState } from "../../src/dbus/names.js";
import type { PrivateBus } from "../../src/os/dbus-daemon-process.js";
import { busctl, connect, dbusSend, privateBus } from "../support/dbus.js";

const ENUM_ERROR =
  "Error xyz.openbmc_project.sdbusplus.Error.InvalidEnumString: An enumeration mapping was attempted for which no valid enumeration value exists.";
let bus: PrivateBus;
let server: BusConnection;
let hostState: HostStateService;

beforeAll(async () => {
  bus = await privateBus();
  server = await connect(bus);
  await CaManagerService.start(server);
  hostState = await HostStateService.start(server, { isOn: async () => false, on: async () => {}, off: async () => {}, reboot: async () => {} });
  await busctl(bus, "call", CaManager.service, CaManager.path, CaManager.authority, "SignCSR", "s", "csr-one");
});

afterAll(async () => {
  hostState?.close();
  server?.close();
  await bus?.stop();
});

describe("the CA manager and host state as a real BMC answers", () => {
  const send = (dest: string, ...args: string[]) => dbusSend(bus, "--print-reply", `--dest=${dest}`, ...args);

  it("refuses a Status or RequestedHostTransition that names no enumeration value with InvalidEnumString", async () => {
    const entry = `${CaManager.entryPathPrefix}1`;
    const status = await send(
      CaManager.service,
      entry,
      "org.freedesktop.DBus.Properties.Set",
      "string:xyz.openbmc_project.Certs.Entry",
      "string:Status",
      "variant:string:Done",
    );
    expect(status.stderr).toContain(ENUM_ERROR);
    const transition = await send(
      HostState.service,
      HostState.path,
      "org.freedesktop.DBus.Properties.Set",
      `string:${HostState.iface}`,
      "string:RequestedHostTransition",
      "variant:string:Sideways",
    );
    expect(transition.stderr).toContain(ENUM_ERROR);
  });

  it("answers a missing entry with UnknownObject and an unknown interface with UnknownProperty", async () => {
    const gone = await send(CaManager.service, `${CaManager.entryPathPrefix}99`, "xyz.openbmc_project.Object.Delete.Delete");
    expect(gone.stderr).toContain(`Error org.freedesktop.DBus.Error.UnknownObject: Unknown object '${CaManager.entryPathPrefix}99'.`);
    const get = await send(
      CaManager.service,
      `${CaManager.entryPathPrefix}1`,
      "org.freedesktop.DBus.Properties.Get",
      "string:xyz.openbmc_project.Certs.Nope",
      "string:Status",
    );
    expect(get.stderr).toContain("Error org.freedesktop.DBus.Error.UnknownProperty: Unknown property or interface.");
  });

  it("names SignCSR's arguments as phosphor-dbus-interfaces does", async () => {
    const xml = (await busctl(bus, "call", CaManager.service, CaManager.path, "org.freedesktop.DBus.Introspectable", "Introspect")).stdout;
    expect(xml).toContain(
      '<method name=\\"SignCSR\\"><arg type=\\"s\\" name=\\"CSR\\" direction=\\"in\\"/><arg type=\\"o\\" name=\\"path\\" direction=\\"out\\"/></method>',
    );
  });
});
