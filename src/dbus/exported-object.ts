/**
 * Objects we serve on the bus, described by data (no decorators): interfaces with
 * typed properties, methods and signals. The bus adapter routes calls here; this file
 * owns the property store, access checks and introspection XML.
 */
import dbus from "dbus-next";

const { Variant } = dbus;

/** A D-Bus error reply: `name` is the error name clients match on. */
export class DbusError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
    this.name = "DbusError";
  }
}

/** Error names, and (below) the messages sd-bus and sdbusplus send with them, so clients see what a real BMC sends. */
export const Errors = {
  invalidArgument: "xyz.openbmc_project.Common.Error.InvalidArgument",
  invalidEnumString: "xyz.openbmc_project.sdbusplus.Error.InvalidEnumString",
  unknownObject: "org.freedesktop.DBus.Error.UnknownObject",
  internalFailure: "xyz.openbmc_project.Common.Error.InternalFailure",
  notAllowed: "xyz.openbmc_project.Common.Error.NotAllowed",
  unknownMethod: "org.freedesktop.DBus.Error.UnknownMethod",
  unknownInterface: "org.freedesktop.DBus.Error.UnknownInterface",
  unknownProperty: "org.freedesktop.DBus.Error.UnknownProperty",
  propertyReadOnly: "org.freedesktop.DBus.Error.PropertyReadOnly",
  invalidArgs: "org.freedesktop.DBus.Error.InvalidArgs",
  timeout: "org.freedesktop.DBus.Error.Timeout",
  noReply: "org.freedesktop.DBus.Error.NoReply",
} as const;

/** sdbusplus's answer to a string that names no value of a property's enumeration. */
export function invalidEnumString(): DbusError {
  return new DbusError(Errors.invalidEnumString, "An enumeration mapping was attempted for which no valid enumeration value exists.");
}

export interface PropertySpec {
  /** D-Bus signature, e.g. "s", "t", "b". */
  type: string;
  value: unknown;
  /** "const" never changes and emits no signal; "read" changes only from our side. */
  access: "const" | "read" | "readwrite";
  /** Called on a client's Set; throw DbusError to refuse. Returns the value to store. */
  onSet?: (value: unknown) => unknown;
}

export interface MethodSpec {
  in: string;
  out: string;
  /** Argument names for introspection, in then out, as phosphor-dbus-interfaces' YAML names them. */
  argNames?: readonly string[];
  /** Arguments as dbus-next decodes them; returns the out values as an array. */
  handler: (args: unknown[], sender: string) => unknown[] | Promise<unknown[]>;
}

export interface InterfaceSpec {
  name: string;
  properties?: Record<string, PropertySpec>;
  methods?: Record<string, MethodSpec>;
  /** Signal name -> signature. */
  signals?: Record<string, string>;
}

type PropertiesChanged = (iface: string, changed: Record<string, unknown>) => void;

/** One object path and its interfaces; property writes go through set() so watchers hear them. */
export class ExportedObject {
  private readonly interfaces = new Map<string, InterfaceSpec>();
  /** Set by the bus adapter once exported. */
  onPropertiesChanged: PropertiesChanged | null = null;
  /** Called before a client reads properties, so values computed on demand are fresh. */
  onRead: (() => void) | null = null;

  constructor(
    readonly path: string,
    specs: InterfaceSpec[],
  ) {
    for (const spec of specs) this.interfaces.set(spec.name, { ...spec, properties: cloneProperties(spec.properties) });
  }

  interfaceNames(): string[] {
    return [...this.interfaces.keys()];
  }

  hasInterface(name: string): boolean {
    return this.interfaces.has(name);
  }

  get(iface: string, prop: string): unknown {
    return this.property(iface, prop).value;
  }

  getVariant(iface: string, prop: string): unknown {
    const p = this.property(iface, prop);
    return variant(p.type, p.value);
  }

  /** Our own write: allowed for every access but const; emits PropertiesChanged when it changes. */
  set(iface: string, prop: string, value: unknown): void {
    this.setMany(iface, { [prop]: value });
  }

  /** Several of our own writes, announced in one PropertiesChanged. */
  setMany(iface: string, values: Record<string, unknown>): void {
    const changed: Record<string, unknown> = {};
    for (const [prop, value] of Object.entries(values)) {
      const p = this.property(iface, prop);
      if (p.access === "const") throw new Error(`${iface}.${prop} is const`);
      if (p.value === value) continue;
      p.value = value;
      changed[prop] = variant(p.type, value);
    }
    if (Object.keys(changed).length > 0) this.onPropertiesChanged?.(iface, changed);
  }

  /** A client's Set: checks access and type before storing. */
  clientSet(iface: string, prop: string, v: unknown): void {
    const p = this.property(iface, prop);
    if (p.access !== "readwrite") throw new DbusError(Errors.propertyReadOnly, `Property '${prop}' is not writable.`);
    if (!(v instanceof Variant) || v.signature !== p.type) {
      const got = v instanceof Variant ? v.signature : "";
      throw new DbusError(Errors.invalidArgs, `Incorrect parameters for property '${prop}', expected '${p.type}', got '${got}'.`);
    }
    const given: unknown = v.value;
    const stored = p.onSet ? p.onSet(given) : given;
    this.set(iface, prop, stored);
  }

  getAll(iface: string): Record<string, unknown> {
    if (STANDARD_INTERFACES.has(iface) && !this.interfaces.has(iface)) return {};
    const spec = this.interface(iface);
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(spec.properties ?? {})) out[name] = this.getVariant(iface, name);
    return out;
  }

  /** Shape of GetManagedObjects / InterfacesAdded: iface -> props (a{sa{sv}}). */
  snapshot(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const name of this.interfaces.keys()) out[name] = this.getAll(name);
    return out;
  }

  method(iface: string, member: string): MethodSpec | undefined {
    return this.interfaces.get(iface)?.methods?.[member];
  }

  /** Finds a method when the caller left the interface out, as D-Bus allows. */
  methodByMember(member: string): { iface: string; spec: MethodSpec } | undefined {
    for (const [iface, spec] of this.interfaces) {
      const m = spec.methods?.[member];
      if (m) return { iface, spec: m };
    }
    return undefined;
  }

  signalSignature(iface: string, member: string): string | undefined {
    return this.interfaces.get(iface)?.signals?.[member];
  }

  interface(name: string): InterfaceSpec {
    const spec = this.interfaces.get(name);
    if (!spec) throw new DbusError(Errors.unknownInterface, `Unknown interface '${name}'.`);
    return spec;
  }

  introspectInterfaces(): string {
    return [...this.interfaces.values()].map(interfaceXml).join("");
  }

  /** sd-bus answers an unknown interface and an unknown property alike on Get and Set. */
  private property(iface: string, prop: string): PropertySpec {
    const p = this.interfaces.get(iface)?.properties?.[prop];
    if (!p) throw new DbusError(Errors.unknownProperty, "Unknown property or interface.");
    return p;
  }
}

export function variant(signature: string, value: unknown): unknown {
  return new Variant(signature, value);
}

function cloneProperties(props: Record<string, PropertySpec> | undefined): Record<string, PropertySpec> {
  const out: Record<string, PropertySpec> = {};
  for (const [k, v] of Object.entries(props ?? {})) out[k] = { ...v };
  return out;
}

/** Interfaces every object has (sd-bus serves them itself); GetAll of one of them is empty. */
const STANDARD_INTERFACES = new Set(["org.freedesktop.DBus.Properties", "org.freedesktop.DBus.Peer", "org.freedesktop.DBus.Introspectable"]);

/** `<arg>` elements as sd-bus writes them: a name only when the method has names. */
function args(signature: string, direction: "in" | "out" | null, names: readonly string[] = []): string {
  return splitSignature(signature)
    .map((t, i) => `<arg type="${t}"${names[i] ? ` name="${names[i]}"` : ""}${direction ? ` direction="${direction}"` : ""}/>`)
    .join("");
}

function interfaceXml(spec: InterfaceSpec): string {
  const methods = Object.entries(spec.methods ?? {}).map(([n, m]) => {
    const inCount = splitSignature(m.in).length;
    return `<method name="${n}">${args(m.in, "in", m.argNames?.slice(0, inCount))}${args(m.out, "out", m.argNames?.slice(inCount))}</method>`;
  });
  const signals = Object.entries(spec.signals ?? {}).map(([n, s]) => `<signal name="${n}">${args(s, null)}</signal>`);
  const props = Object.entries(spec.properties ?? {}).map(([n, p]) => {
    const access = p.access === "readwrite" ? "readwrite" : "read";
    const annotation = p.access === "const" ? `<annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="const"/>` : "";
    return `<property name="${n}" type="${p.type}" access="${access}">${annotation}</property>`;
  });
  return `<interface name="${spec.name}">${methods.join("")}${signals.join("")}${props.join("")}</interface>`;
}

/** Splits a signature into complete types ("sa{sv}o" -> ["s", "a{sv}", "o"]). */
export function splitSignature(sig: string): string[] {
  const out: string[] = [];
  let i = 0;
  const one = (): void => {
    const c = sig[i++];
    if (c === "a") return one();
    if (c === "(" || c === "{") {
      const close = c === "(" ? ")" : "}";
      while (sig[i] !== close) {
        if (i >= sig.length) throw new Error(`bad signature ${sig}`);
        one();
      }
      i++;
    }
  };
  while (i < sig.length) {
    const start = i;
    one();
    out.push(sig.slice(start, i));
  }
  return out;
}
