/**
 * The one adapter over dbus-next. It adds what the library lacks: call time-outs,
 * name-owner tracking from NameOwnerChanged (so a restarted peer's signals are heard and
 * anyone else's are refused), read-only properties that stay read-only, ObjectManager
 * signals, and one `disconnected` event for the supervisor to act on.
 */
import { EventEmitter } from "eventemitter3";
import dbus from "dbus-next";
import type { Logger } from "../log.js";
import { silentLogger } from "../log.js";
import { DbusError, Errors, ExportedObject, type InterfaceSpec } from "./exported-object.js";

const { Message, MessageType } = dbus;
type DbusMessage = InstanceType<typeof Message>;

const BUS_NAME = "org.freedesktop.DBus";
const BUS_PATH = "/org/freedesktop/DBus";
const PROPERTIES = "org.freedesktop.DBus.Properties";
const INTROSPECTABLE = "org.freedesktop.DBus.Introspectable";
const OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager";
const PEER = "org.freedesktop.DBus.Peer";
const DO_NOT_QUEUE = 4;

export interface BusOptions {
  /** "system", "session" (DBUS_SESSION_BUS_ADDRESS) or a D-Bus address like unix:path=... */
  address: string;
  /** Bound on every call we make (libdbus uses 25 s). */
  callTimeoutMs?: number;
  log?: Logger;
}

export interface CallOptions {
  signature?: string;
  body?: unknown[];
  timeoutMs?: number;
}

export interface SignalMatch {
  /** Well-known name whose current owner alone may send this signal. */
  sender: string;
  interface: string;
  member: string;
  path?: string;
  pathNamespace?: string;
}

export interface ReceivedSignal {
  sender: string;
  path: string;
  body: unknown[];
}

interface BusEvents {
  disconnected: [reason: string];
  /** A signal we subscribed to, sent by someone who does not own the name. */
  spoofed: [match: SignalMatch, sender: string];
}

interface PendingCall {
  resolve: (m: DbusMessage) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

interface Subscription {
  match: SignalMatch;
  handler: (s: ReceivedSignal) => void;
}

export class BusConnection extends EventEmitter<BusEvents> {
  private readonly pending = new Map<number, PendingCall>();
  private readonly owners = new Map<string, string | null>();
  private readonly ownerWatchers = new Map<string, Set<(owner: string | null) => void>>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly objects = new Map<string, ExportedObject>();
  private readonly managers = new Set<string>();
  private closed = false;

  private constructor(
    private readonly bus: dbus.MessageBus,
    readonly uniqueName: string,
    private readonly callTimeoutMs: number,
    private readonly log: Logger,
  ) {
    super();
    bus.on("message", (m: DbusMessage) => this.onMessage(m));
    bus.addMethodHandler((m: DbusMessage) => this.onMethodCall(m));
    bus.on("error", (e: Error) => this.lost(`bus error: ${e.message}`));
    // dbus-next reports a closed socket only on its connection object.
    (bus as unknown as { _connection: EventEmitter })._connection.on("end", () => this.lost("bus connection closed"));
  }

  static async connect(opts: BusOptions): Promise<BusConnection> {
    const bus = opts.address === "system" ? dbus.systemBus() : dbus.sessionBus(opts.address === "session" ? {} : { busAddress: opts.address });
    const name = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer from the bus at ${opts.address}`)), opts.callTimeoutMs ?? 25_000);
      bus.once("connect", () => {
        clearTimeout(timer);
        resolve((bus as unknown as { name: string }).name);
      });
      bus.once("error", (e: Error) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to the bus at ${opts.address}: ${e.message}`));
      });
    });
    return new BusConnection(bus, name, opts.callTimeoutMs ?? 25_000, opts.log ?? silentLogger);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A method call with a bounded wait; D-Bus errors reject as DbusError. */
  call(destination: string, path: string, iface: string, member: string, opts: CallOptions = {}): Promise<unknown[]> {
    if (this.closed) return Promise.reject(new DbusError(Errors.noReply, "bus connection is closed"));
    const msg = new Message({ type: MessageType.METHOD_CALL, destination, path, interface: iface, member, signature: opts.signature ?? "", body: opts.body ?? [] });
    msg.serial = this.bus.newSerial();
    const timeoutMs = opts.timeoutMs ?? this.callTimeoutMs;
    return new Promise<DbusMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msg.serial!);
        reject(new DbusError(Errors.timeout, `${destination} ${iface}.${member} gave no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(msg.serial!, { resolve, reject, timer });
      this.bus.send(msg);
    }).then((reply) => reply.body as unknown[]);
  }

  async getProperty(destination: string, path: string, iface: string, prop: string, timeoutMs?: number): Promise<unknown> {
    const [v] = await this.call(destination, path, PROPERTIES, "Get", { signature: "ss", body: [iface, prop], timeoutMs });
    return (v as { value: unknown }).value;
  }

  async setProperty(destination: string, path: string, iface: string, prop: string, signature: string, value: unknown, timeoutMs?: number): Promise<void> {
    await this.call(destination, path, PROPERTIES, "Set", { signature: "ssv", body: [iface, prop, new dbus.Variant(signature, value)], timeoutMs });
  }

  /** Owns `name` or throws: we never queue behind another owner. */
  async requestName(name: string): Promise<void> {
    const [reply] = await this.call(BUS_NAME, BUS_PATH, BUS_NAME, "RequestName", { signature: "su", body: [name, DO_NOT_QUEUE] });
    if (reply !== 1 && reply !== 4) throw new Error(`the bus name ${name} is already owned by another process`);
  }

  /**
   * Asks for `name` and, when another connection owns it, waits in the bus's queue
   * (no lock files: the bus hands the name on when the owner exits or releases it).
   * Follow the hand-over with watchName: the owner becomes our uniqueName.
   */
  async requestNameQueued(name: string): Promise<"owner" | "queued"> {
    const [reply] = await this.call(BUS_NAME, BUS_PATH, BUS_NAME, "RequestName", { signature: "su", body: [name, 0] });
    if (reply === 1 || reply === 4) return "owner";
    if (reply === 2) return "queued";
    throw new Error(`RequestName ${name} answered ${String(reply)}`);
  }

  /** Gives up `name` (or our place in its queue). */
  async releaseName(name: string): Promise<void> {
    await this.call(BUS_NAME, BUS_PATH, BUS_NAME, "ReleaseName", { signature: "s", body: [name] });
  }

  /**
   * Follows the owner of a well-known name. `onChange` runs with the owner now and on
   * every change (null when nobody owns it). Returns the current owner.
   */
  async watchName(name: string, onChange?: (owner: string | null) => void): Promise<string | null> {
    if (!this.ownerWatchers.has(name)) {
      this.ownerWatchers.set(name, new Set());
      await this.addMatch(`type='signal',sender='${BUS_NAME}',interface='${BUS_NAME}',member='NameOwnerChanged',arg0='${name}'`);
      const owner = await this.call(BUS_NAME, BUS_PATH, BUS_NAME, "GetNameOwner", { signature: "s", body: [name] }).then(
        ([o]) => String(o),
        () => null,
      );
      // A NameOwnerChanged that raced the query is newer; keep it.
      if (!this.owners.has(name)) this.owners.set(name, owner);
    }
    if (onChange) this.ownerWatchers.get(name)!.add(onChange);
    const current = this.owners.get(name) ?? null;
    onChange?.(current);
    return current;
  }

  ownerOf(name: string): string | null {
    return this.owners.get(name) ?? null;
  }

  /** Subscribes to a signal that only the current owner of `match.sender` may send. */
  async onSignal(match: SignalMatch, handler: (s: ReceivedSignal) => void): Promise<() => void> {
    await this.watchName(match.sender);
    const parts = [`type='signal'`, `interface='${match.interface}'`, `member='${match.member}'`];
    if (match.path) parts.push(`path='${match.path}'`);
    if (match.pathNamespace) parts.push(`path_namespace='${match.pathNamespace}'`);
    // No sender= in the rule: we want to see spoofs in order to report them.
    await this.addMatch(parts.join(","));
    const sub = { match, handler };
    this.subscriptions.add(sub);
    return () => this.subscriptions.delete(sub);
  }

  exportObject(path: string, specs: InterfaceSpec[]): ExportedObject {
    if (this.objects.has(path)) throw new Error(`object ${path} is already exported`);
    const obj = new ExportedObject(path, specs);
    obj.onPropertiesChanged = (iface, changed) => this.emitSignal(path, PROPERTIES, "PropertiesChanged", "sa{sv}as", [iface, changed, []]);
    this.objects.set(path, obj);
    const manager = this.managerOf(path);
    if (manager) this.emitSignal(manager, OBJECT_MANAGER, "InterfacesAdded", "oa{sa{sv}}", [path, obj.snapshot()]);
    return obj;
  }

  unexportObject(path: string): void {
    const obj = this.objects.get(path);
    if (!obj) return;
    this.objects.delete(path);
    obj.onPropertiesChanged = null;
    const manager = this.managerOf(path);
    if (manager) this.emitSignal(manager, OBJECT_MANAGER, "InterfacesRemoved", "oas", [path, obj.interfaceNames()]);
  }

  /** Serves org.freedesktop.DBus.ObjectManager at `path` for the objects below it. */
  addObjectManager(path: string): void {
    this.managers.add(path);
  }

  emitSignal(path: string, iface: string, member: string, signature: string, body: unknown[]): void {
    if (this.closed) return;
    this.bus.send(Message.newSignal(path, iface, member, signature, body));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failPending("bus connection is closed");
    this.bus.disconnect();
  }

  private async addMatch(rule: string): Promise<void> {
    await this.call(BUS_NAME, BUS_PATH, BUS_NAME, "AddMatch", { signature: "s", body: [rule] });
  }

  private lost(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.failPending(reason);
    this.log.error({ reason }, "lost the D-Bus connection");
    this.emit("disconnected", reason);
  }

  private failPending(reason: string): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new DbusError(Errors.noReply, reason));
    }
    this.pending.clear();
  }

  private onMessage(m: DbusMessage): void {
    if (m.type === MessageType.METHOD_RETURN || m.type === MessageType.ERROR) {
      // The typings say string; the wire value is a number.
      const serial = Number(m.replySerial);
      const p = this.pending.get(serial);
      if (!p) return;
      this.pending.delete(serial);
      clearTimeout(p.timer);
      if (m.type === MessageType.ERROR) p.reject(new DbusError(m.errorName ?? "unknown", String((m.body as unknown[])[0] ?? m.errorName)));
      else p.resolve(m);
    } else if (m.type === MessageType.SIGNAL) {
      this.onSignalMessage(m);
    }
  }

  private onSignalMessage(m: DbusMessage): void {
    const body = m.body as unknown[];
    if (m.sender === BUS_NAME && m.member === "NameOwnerChanged" && m.interface === BUS_NAME) {
      const [name, , newOwner] = body as [string, string, string];
      if (!this.ownerWatchers.has(name)) return;
      const owner = newOwner === "" ? null : newOwner;
      this.owners.set(name, owner);
      for (const w of this.ownerWatchers.get(name)!) w(owner);
      return;
    }
    for (const sub of this.subscriptions) {
      const { match } = sub;
      if (m.interface !== match.interface || m.member !== match.member) continue;
      if (match.path && m.path !== match.path) continue;
      if (match.pathNamespace && m.path !== match.pathNamespace && !m.path?.startsWith(`${match.pathNamespace}/`)) continue;
      const owner = this.owners.get(match.sender);
      if (!m.sender || m.sender !== owner) {
        this.log.warn({ sender: m.sender, owner, member: m.member, path: m.path }, `ignored ${m.member} not sent by the owner of ${match.sender}`);
        this.emit("spoofed", match, m.sender ?? "");
        continue;
      }
      sub.handler({ sender: m.sender, path: m.path ?? "", body });
    }
  }

  /** Answers calls to the objects we export; returns false to let dbus-next answer. */
  private onMethodCall(m: DbusMessage): boolean {
    const path = m.path ?? "/";
    const reply = (p: Promise<{ signature: string; body: unknown[] }>) =>
      p.then(
        ({ signature, body }) => this.bus.send(Message.newMethodReturn(m, signature, body)),
        (e: unknown) => {
          if (!(e instanceof DbusError)) this.log.error({ err: e, member: m.member, path }, "method handler failed");
          const err = e instanceof DbusError ? e : new DbusError(Errors.internalFailure, e instanceof Error ? e.message : String(e));
          this.bus.send(Message.newError(m as never, err.errorName, err.message));
        },
      );
    const run = (fn: () => { signature: string; body: unknown[] } | Promise<{ signature: string; body: unknown[] }>) => {
      void reply(Promise.resolve().then(fn));
      return true;
    };
    if (m.interface === INTROSPECTABLE && m.member === "Introspect") return run(() => ({ signature: "s", body: [this.introspect(path)] }));
    if (m.interface === PEER) return false;
    if (m.interface === OBJECT_MANAGER && m.member === "GetManagedObjects" && this.managers.has(path)) {
      return run(() => ({ signature: "a{oa{sa{sv}}}", body: [this.managedObjects(path)] }));
    }
    const obj = this.objects.get(path);
    if (!obj) {
      if (this.managers.has(path) || this.hasChildren(path)) return run(() => Promise.reject(new DbusError(Errors.unknownMethod, `no method ${m.interface}.${m.member} at ${path}`)));
      return false;
    }
    const body = (m.body ?? []) as unknown[];
    if (m.interface === PROPERTIES) {
      const [iface, prop, value] = body as [string, string, unknown];
      if (m.member !== "Set") obj.onRead?.();
      if (m.member === "Get") return run(() => ({ signature: "v", body: [obj.getVariant(iface, prop)] }));
      if (m.member === "GetAll") return run(() => ({ signature: "a{sv}", body: [obj.getAll(iface)] }));
      if (m.member === "Set") return run(() => (obj.clientSet(iface, prop, value), { signature: "", body: [] }));
    }
    const spec = m.interface ? obj.method(m.interface, m.member ?? "") : obj.methodByMember(m.member ?? "")?.spec;
    if (!spec) return run(() => Promise.reject(new DbusError(Errors.unknownMethod, `no method ${m.interface ?? ""}.${m.member ?? ""} at ${path}`)));
    if ((m.signature ?? "") !== spec.in) {
      return run(() => Promise.reject(new DbusError(Errors.invalidArgs, `${m.member} takes '${spec.in}', got '${m.signature ?? ""}'`)));
    }
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
    const standard =
      `<interface name="${INTROSPECTABLE}"><method name="Introspect"><arg name="xml" type="s" direction="out"/></method></interface>` +
      `<interface name="${PEER}"><method name="Ping"/><method name="GetMachineId"><arg name="id" type="s" direction="out"/></method></interface>` +
      (obj
        ? `<interface name="${PROPERTIES}"><method name="Get"><arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="v" direction="out"/></method>` +
          `<method name="GetAll"><arg type="s" direction="in"/><arg type="a{sv}" direction="out"/></method>` +
          `<method name="Set"><arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="v" direction="in"/></method>` +
          `<signal name="PropertiesChanged"><arg type="s"/><arg type="a{sv}"/><arg type="as"/></signal></interface>`
        : "") +
      (this.managers.has(path)
        ? `<interface name="${OBJECT_MANAGER}"><method name="GetManagedObjects"><arg type="a{oa{sa{sv}}}" direction="out"/></method>` +
          `<signal name="InterfacesAdded"><arg type="o"/><arg type="a{sa{sv}}"/></signal><signal name="InterfacesRemoved"><arg type="o"/><arg type="as"/></signal></interface>`
        : "");
    const children = this.childNames(path).map((n) => `<node name="${n}"/>`).join("");
    return `<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">\n<node>${standard}${obj?.introspectInterfaces() ?? ""}${children}</node>`;
  }
}
