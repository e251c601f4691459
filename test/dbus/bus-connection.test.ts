import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BusConnection } from "../../src/dbus/bus-connection.js";
import { ManualClock } from "../../src/os/clock.js";
import { DbusError, Errors, invalidEnumString } from "../../src/dbus/exported-object.js";
import type { PrivateBus } from "../../src/os/dbus-daemon-process.js";
import { busctl, connect, dbusSend, eventually, privateBus } from "../support/dbus.js";

const NAME = "org.example.Restartable";
let bus: PrivateBus;
const open: BusConnection[] = [];
const conn = async (timeout?: number) => {
  const c = await connect(bus, timeout);
  open.push(c);
  return c;
};

beforeAll(async () => {
  bus = await privateBus();
});
afterAll(async () => {
  open.forEach((c) => c.close());
  await bus?.stop();
});

describe("BusConnection (the dbus-next adapter) on a real dbus-daemon", () => {
  it("bounds a call to a peer that never answers", async () => {
    const mute = await conn();
    await mute.requestName("org.example.Mute");
    mute.exportObject("/mute", [{ name: "org.example.Mute", methods: { Hang: { in: "", out: "", handler: () => new Promise<unknown[]>(() => {}) } } }]);
    const client = await conn();
    const t0 = Date.now();
    const err = await client.call("org.example.Mute", "/mute", "org.example.Mute", "Hang", { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbusError);
    expect((err as DbusError).errorName).toBe(Errors.timeout);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("times its call bounds on the clock it is given", async () => {
    const mute = await conn();
    await mute.requestName("org.example.MuteToo");
    mute.exportObject("/mute", [{ name: "org.example.Mute", methods: { Hang: { in: "", out: "", handler: () => new Promise<unknown[]>(() => {}) } } }]);
    const clock = new ManualClock();
    const client = await BusConnection.connect({ address: bus.address, clock });
    open.push(client);
    let outcome: unknown = "pending";
    void client.call("org.example.MuteToo", "/mute", "org.example.Mute", "Hang", { timeoutMs: 300 }).catch((e: unknown) => (outcome = e));
    await new Promise((r) => setTimeout(r, 200));
    clock.advance(299);
    await new Promise((r) => setImmediate(r));
    expect(outcome).toBe("pending");
    clock.advance(1);
    await new Promise((r) => setImmediate(r));
    expect((outcome as DbusError).errorName).toBe(Errors.timeout);
  });

  it("hears signals from a restarted peer and refuses them from its old self", async () => {
    const listener = await conn();
    const heard: string[] = [];
    const owners: (string | null)[] = [];
    await listener.watchName(NAME, (o) => owners.push(o));
    await listener.onSignal({ sender: NAME, path: "/thing", interface: "org.example.T", member: "Ping" }, (s) => heard.push(s.body[0] as string));
    const first = await conn();
    await first.requestName(NAME);
    await eventually(() => (listener.ownerOf(NAME) === first.uniqueName ? true : undefined), 5000, "first owner");
    first.emitSignal("/thing", "org.example.T", "Ping", "s", ["from first"]);
    await eventually(() => (heard.length === 1 ? true : undefined), 5000, "first signal");
    first.close();
    const second = await conn();
    await second.requestName(NAME);
    await eventually(() => (listener.ownerOf(NAME) === second.uniqueName ? true : undefined), 5000, "second owner");
    second.emitSignal("/thing", "org.example.T", "Ping", "s", ["from second"]);
    await eventually(() => (heard.length === 2 ? true : undefined), 5000, "signal from the restarted owner");
    expect(heard).toEqual(["from first", "from second"]);
    expect(owners).toEqual([null, first.uniqueName, null, second.uniqueName]);
  });

  it("refuses to share a well-known name", async () => {
    const a = await conn();
    const b = await conn();
    await a.requestName("org.example.Single");
    await expect(b.requestName("org.example.Single")).rejects.toThrow(/already owned/);
  });

  it("queues for a name and hears NameAcquired when the owner goes, NameLost when it releases", async () => {
    const active = await conn();
    const standby = await conn();
    expect(await active.requestNameQueued("org.example.Standby")).toBe("owner");
    const events: string[] = [];
    standby.on("nameAcquired", (n) => events.push(`acquired ${n}`));
    standby.on("nameLost", (n) => events.push(`lost ${n}`));
    expect(await standby.requestNameQueued("org.example.Standby")).toBe("queued");
    active.close();
    await eventually(() => (events.length === 1 ? true : undefined), 5000, "NameAcquired");
    await standby.releaseName("org.example.Standby");
    await eventually(() => (events.length === 2 ? true : undefined), 5000, "NameLost");
    expect(events).toEqual(["acquired org.example.Standby", "lost org.example.Standby"]);
  });

  it("answers unknown methods and wrong signatures with D-Bus errors", async () => {
    const svc = await conn();
    await svc.requestName("org.example.Strict");
    svc.exportObject("/s", [{ name: "org.example.S", methods: { Echo: { in: "s", out: "s", handler: ([x]) => [x] } } }]);
    expect((await busctl(bus, "call", "org.example.Strict", "/s", "org.example.S", "Echo", "s", "hi")).stdout).toBe('s "hi"\n');
    const wrong = await busctl(bus, "call", "org.example.Strict", "/s", "org.example.S", "Echo", "u", "5");
    expect(wrong.stderr).toContain("Invalid arguments 'u' to call org.example.S.Echo(), expecting 's'.");
    const unknown = await busctl(bus, "call", "org.example.Strict", "/s", "org.example.S", "Nope");
    expect(unknown.stderr).toContain("Unknown method 'Nope' or interface 'org.example.S'.");
  });
});

/** What sd-bus (bus-objects.c, sd-bus.c) and sdbusplus answer, checked with dbus-send, which prints the error name. */
describe("D-Bus errors as sd-bus sends them", () => {
  const SVC = "org.example.Errors";
  const dest = `--dest=${SVC}`;
  let ready: Promise<void> | null = null;
  const serve = () =>
    (ready ??= (async () => {
      const svc = await conn();
      svc.exportObject("/e/thing", [
        {
          name: "org.example.Thing",
          methods: { Sign: { in: "s", out: "o", argNames: ["CSR", "path"], handler: () => ["/e/thing"] } },
          properties: {
            Fixed: { type: "s", value: "x", access: "read" },
            Mode: {
              type: "s",
              value: "a",
              access: "readwrite",
              onSet: (v) => {
                if (v !== "a" && v !== "b") throw invalidEnumString();
                return v;
              },
            },
          },
        },
      ]);
      await svc.requestName(SVC);
    })());
  const send = async (...args: string[]) => {
    await serve();
    return dbusSend(bus, "--print-reply", dest, ...args);
  };

  it("answers a call on a missing object with UnknownObject", async () => {
    const r = await send("/e/nothing", "org.example.Thing.Sign", "string:x");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Error org.freedesktop.DBus.Error.UnknownObject: Unknown object '/e/nothing'.");
    // An intermediate node has children but no object: the same as sd-bus.
    expect((await send("/e", "org.example.Thing.Sign", "string:x")).stderr).toContain("Error org.freedesktop.DBus.Error.UnknownObject");
    expect((await send("/e/nothing", "org.freedesktop.DBus.Introspectable.Introspect")).stderr).toContain("UnknownObject");
  });

  it("answers Properties.Get of an unknown interface or property with UnknownProperty, GetAll with UnknownInterface", async () => {
    const get = (iface: string, prop: string) => send("/e/thing", "org.freedesktop.DBus.Properties.Get", `string:${iface}`, `string:${prop}`);
    expect((await get("org.example.Nope", "Fixed")).stderr).toContain("Error org.freedesktop.DBus.Error.UnknownProperty: Unknown property or interface.");
    expect((await get("org.example.Thing", "Nope")).stderr).toContain("Error org.freedesktop.DBus.Error.UnknownProperty: Unknown property or interface.");
    const all = await send("/e/thing", "org.freedesktop.DBus.Properties.GetAll", "string:org.example.Nope");
    expect(all.stderr).toContain("Error org.freedesktop.DBus.Error.UnknownInterface: Unknown interface 'org.example.Nope'.");
    expect((await send("/e/thing", "org.freedesktop.DBus.Properties.GetAll", "string:org.freedesktop.DBus.Peer")).stdout).toContain("array [");
  });

  it("answers bad Sets as sd-bus and sdbusplus do", async () => {
    const set = (prop: string, value: string) => send("/e/thing", "org.freedesktop.DBus.Properties.Set", "string:org.example.Thing", `string:${prop}`, value);
    expect((await set("Fixed", "variant:string:y")).stderr).toContain("Error org.freedesktop.DBus.Error.PropertyReadOnly: Property 'Fixed' is not writable.");
    expect((await set("Mode", "variant:uint32:1")).stderr).toContain(
      "Error org.freedesktop.DBus.Error.InvalidArgs: Incorrect parameters for property 'Mode', expected 's', got 'u'.",
    );
    expect((await set("Mode", "variant:string:c")).stderr).toContain(
      "Error xyz.openbmc_project.sdbusplus.Error.InvalidEnumString: An enumeration mapping was attempted for which no valid enumeration value exists.",
    );
    expect((await set("Mode", "variant:string:b")).code).toBe(0);
  });

  it("names method arguments in introspection, and the standard interfaces' as sd-bus does", async () => {
    await serve();
    const xml = (await busctl(bus, "call", SVC, "/e/thing", "org.freedesktop.DBus.Introspectable", "Introspect")).stdout;
    expect(xml).toContain(
      '<method name=\\"Sign\\"><arg type=\\"s\\" name=\\"CSR\\" direction=\\"in\\"/><arg type=\\"o\\" name=\\"path\\" direction=\\"out\\"/></method>',
    );
    expect(xml).toContain('<arg type=\\"s\\" name=\\"machine_uuid\\" direction=\\"out\\"/>');
    const table = (await busctl(bus, "introspect", SVC, "/e/thing")).stdout;
    expect(table).toMatch(/\.Sign\s+method\s+s\s+o\s/);
  });

  it("reports the bus going away", async () => {
    const own = await privateBus();
    const c = await connect(own);
    const lost = new Promise<string>((r) => c.once("disconnected", r));
    await own.stop();
    expect(await lost).toMatch(/closed|error/);
    await expect(c.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId")).rejects.toThrow(/closed/);
  });
});
