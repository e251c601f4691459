import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BusConnection } from "../../src/dbus/bus-connection.js";
import { DbusError, Errors } from "../../src/dbus/exported-object.js";
import type { PrivateBus } from "../../src/os/dbus-daemon-process.js";
import { busctl, connect, eventually, privateBus } from "../support/dbus.js";

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

  it("answers unknown methods and wrong signatures with D-Bus errors", async () => {
    const svc = await conn();
    await svc.requestName("org.example.Strict");
    svc.exportObject("/s", [{ name: "org.example.S", methods: { Echo: { in: "s", out: "s", handler: ([x]) => [x] } } }]);
    expect((await busctl(bus, "call", "org.example.Strict", "/s", "org.example.S", "Echo", "s", "hi")).stdout).toBe('s "hi"\n');
    const wrong = await busctl(bus, "call", "org.example.Strict", "/s", "org.example.S", "Echo", "u", "5");
    expect(wrong.stderr).toMatch(/takes 's'/);
    const unknown = await busctl(bus, "call", "org.example.Strict", "/s", "org.example.S", "Nope");
    expect(unknown.stderr).toMatch(/no method/);
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
