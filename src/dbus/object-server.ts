/**
 * The object-server half of the dbus-next adapter: objects we export, answered the way
 * sd-bus answers (errors, introspection), ObjectManager signals and GetManagedObjects.
 * Objects themselves (properties, access, methods) are exported-object.ts.
 */
import dbus from "dbus-next";
import type { Logger } from "../log.js";
import { PROPERTIES, type DbusMessage } from "./bus-client.js";
import { DbusError, Errors, ExportedObject, type InterfaceSpec } from "./exported-object.js";

const { Message } = dbus;

const INTROSPECTABLE = "org.freedesktop.DBus.Introspectable";
const OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager";
const PEER = "org.freedesktop.DBus.Peer";
const PROPERTIES_SIGNATURES = { Get: "ss", GetAll: "s", Set: "ssv" } as const;

/** sd-bus's answer to a call whose arguments do not match the method's signature. */
function invalidArguments(m: DbusMessage, expected: string): DbusError {
  return new DbusError(
    Errors.invalidArgs,
    `Invalid arguments '${m.signature ?? ""}' to call ${m.interface ?? ""}.${m.member ?? ""}(), expecting '${expected}'.`,
  );
}

/** What the server needs from the connection under it. */
export interface ServerLink {
  send(m: DbusMessage): void;
  emitSignal(path: string, iface: string, member: string, signature: string, body: unknown[]): void;
  readonly log: Logger;
}

export class ObjectServer {
  private readonly objects = new Map<string, ExportedObject>();
  private readonly managers = new Set<string>();

  constructor(private readonly link: ServerLink) {}

  exportObject(path: string, specs: InterfaceSpec[]): ExportedObject {
    if (this.objects.has(path)) throw new Error(`object ${path} is already exported`);
    const obj = new ExportedObject(path, specs);
    obj.onPropertiesChanged = (iface, changed) => this.link.emitSignal(path, PROPERTIES, "PropertiesChanged", "sa{sv}as", [iface, changed, []]);
    this.objects.set(path, obj);
    const manager = this.managerOf(path);
    if (manager) this.link.emitSignal(manager, OBJECT_MANAGER, "InterfacesAdded", "oa{sa{sv}}", [path, obj.snapshot()]);
    return obj;
  }

  unexportObject(path: string): void {
    const obj = this.objects.get(path);
    if (!obj) return;
    this.objects.delete(path);
    obj.onPropertiesChanged = null;
    const manager = this.managerOf(path);
    if (manager) this.link.emitSignal(manager, OBJECT_MANAGER, "InterfacesRemoved", "oas", [path, obj.interfaceNames()]);
  }

  /** Serves org.freedesktop.DBus.ObjectManager at `path` for the objects below it. */
  addObjectManager(path: string): void {
    this.managers.add(path);
  }

  /** Answers calls to the objects we export; returns false to let dbus-next answer. */
  onMethodCall(m: DbusMessage): boolean {
    const path = m.path ?? "/";
    const reply = (p: Promise<{ signature: string; body: unknown[] }>) =>
      p.then(
        ({ signature, body }) => this.link.send(Message.newMethodReturn(m, signature, body)),
        (e: unknown) => {
          if (!(e instanceof DbusError)) this.link.log.error({ err: e, member: m.member, path }, "method handler failed");
          const err = e instanceof DbusError ? e : new DbusError(Errors.internalFailure, e instanceof Error ? e.message : String(e));
          this.link.send(Message.newError(m as never, err.errorName, err.message));
        },
      );
    const run = (fn: () => { signature: string; body: unknown[] } | Promise<{ signature: string; body: unknown[] }>) => {
      void reply(Promise.resolve().then(fn));
      return true;
    };
    const obj = this.objects.get(path);
    // sd-bus: a path with nothing there answers UnknownObject, whatever was called.
    const exists = obj !== undefined || this.managers.has(path) || this.hasChildren(path);
    const unknownObject = () => run(() => Promise.reject(new DbusError(Errors.unknownObject, `Unknown object '${path}'.`)));
    if (m.interface === INTROSPECTABLE && m.member === "Introspect")
      return exists ? run(() => ({ signature: "s", body: [this.introspect(path)] })) : unknownObject();
    if (m.interface === PEER) return false;
    if (m.interface === OBJECT_MANAGER && m.member === "GetManagedObjects" && this.managers.has(path)) {
      return run(() => ({ signature: "a{oa{sa{sv}}}", body: [this.managedObjects(path)] }));
    }
    if (!obj) return unknownObject();
    const body = (m.body ?? []) as unknown[];
    if (m.interface === PROPERTIES && (m.member === "Get" || m.member === "GetAll" || m.member === "Set")) {
      const expected = PROPERTIES_SIGNATURES[m.member];
      if ((m.signature ?? "") !== expected) return run(() => Promise.reject(invalidArguments(m, expected)));
      const [iface, prop, value] = body as [string, string, unknown];
      if (m.member !== "Set") obj.onRead?.();
      if (m.member === "Get") return run(() => ({ signature: "v", body: [obj.getVariant(iface, prop)] }));
      if (m.member === "GetAll") return run(() => ({ signature: "a{sv}", body: [obj.getAll(iface)] }));
      return run(() => (obj.clientSet(iface, prop, value), { signature: "", body: [] }));
    }
    const spec = m.interface ? obj.method(m.interface, m.member ?? "") : obj.methodByMember(m.member ?? "")?.spec;
    if (!spec) {
      return run(() => Promise.reject(new DbusError(Errors.unknownMethod, `Unknown method '${m.member ?? ""}' or interface '${m.interface ?? ""}'.`)));
    }
    if ((m.signature ?? "") !== spec.in) return run(() => Promise.reject(invalidArguments(m, spec.in)));
    return run(async () => ({ signature: spec.out, body: await spec.handler(body, m.sender ?? "") }));
  }

  private managerOf(path: string): string | undefined {
    for (const mgr of this.managers) if (path !== mgr && path.startsWith(mgr === "/" ? "/" : `${mgr}/`)) return mgr;
    return undefined;
  }

  private managedObjects(manager: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [path, obj] of this.objects) if (this.managerOf(path) === manager) out[path] = obj.snapshot();
    return out;
  }

  private hasChildren(path: string): boolean {
    return this.childNames(path).length > 0;
  }

  private childNames(path: string): string[] {
    const prefix = path === "/" ? "/" : `${path}/`;
    const names = new Set<string>();
    for (const p of [...this.objects.keys(), ...this.managers]) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split("/")[0]!);
    return [...names];
  }

  private introspect(path: string): string {
    const obj = this.objects.get(path);
    // The standard interfaces as sd-bus writes them (bus-introspect.c), argument names included.
    const standard =
      `<interface name="${PEER}"><method name="Ping"/><method name="GetMachineId"><arg type="s" name="machine_uuid" direction="out"/></method></interface>` +
      `<interface name="${INTROSPECTABLE}"><method name="Introspect"><arg name="xml_data" type="s" direction="out"/></method></interface>` +
      `<interface name="${PROPERTIES}"><method name="Get"><arg name="interface_name" direction="in" type="s"/><arg name="property_name" direction="in" type="s"/><arg name="value" direction="out" type="v"/></method>` +
      `<method name="GetAll"><arg name="interface_name" direction="in" type="s"/><arg name="props" direction="out" type="a{sv}"/></method>` +
      `<method name="Set"><arg name="interface_name" direction="in" type="s"/><arg name="property_name" direction="in" type="s"/><arg name="value" direction="in" type="v"/></method>` +
      `<signal name="PropertiesChanged"><arg type="s" name="interface_name"/><arg type="a{sv}" name="changed_properties"/><arg type="as" name="invalidated_properties"/></signal></interface>` +
      (this.managers.has(path)
        ? `<interface name="${OBJECT_MANAGER}"><method name="GetManagedObjects"><arg type="a{oa{sa{sv}}}" name="object_paths_interfaces_and_properties" direction="out"/></method>` +
          `<signal name="InterfacesAdded"><arg type="o" name="object_path"/><arg type="a{sa{sv}}" name="interfaces_and_properties"/></signal>` +
          `<signal name="InterfacesRemoved"><arg type="o" name="object_path"/><arg type="as" name="interfaces"/></signal></interface>`
        : "");
    const children = this.childNames(path)
      .map((n) => `<node name="${n}"/>`)
      .join("");
    return `<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">\n<node>${standard}${obj?.introspectInterfaces() ?? ""}${children}</node>`;
  }
}
