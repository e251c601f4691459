/**
 * The client half of the one adapter over dbus-next: the connection, calls with time-outs,
 * bus names (owning, queueing, following their owners through NameOwnerChanged, so a
 * restarted peer's signals are heard and anyone else's are refused), signals, and one
 * `disconnected` event for the supervisor to act on. The object server (object-server.ts)
 * answers calls on top of it.
 */
import { EventEmitter } from "eventemitter3";
import dbus from "dbus-next";
import type { Logger } from "../log.js";
import { silentLogger } from "../log.js";
import { systemClock, type Clock, type Timer } from "../os/clock.js";
import { DbusError, Errors } from "./exported-object.js";

const { Message, MessageType } = dbus;
export type DbusMessage = InstanceType<typeof Message>;

export const BUS_NAME = "org.freedesktop.DBus";
const BUS_PATH = "/org/freedesktop/DBus";
export const PROPERTIES = "org.freedesktop.DBus.Properties";

/** RequestName flags and replies (D-Bus specification, "org.freedesktop.DBus.RequestName"). */
export const RequestNameFlag = { AllowReplacement: 1, ReplaceExisting: 2, DoNotQueue: 4 } as const;
export const RequestNameReply = { PrimaryOwner: 1, InQueue: 2, Exists: 3, AlreadyOwner: 4 } as const;

export interface BusOptions {
  /** "system", "session" (DBUS_SESSION_BUS_ADDRESS) or a D-Bus address like unix:path=... */
  address: string;
  /** Bound on every call we make (libdbus uses 25 s). */
  callTimeoutMs?: number;
  log?: Logger;
  /** Times the call bounds (tests drive a ManualClock). */
  clock?: Clock;
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

export interface BusClientEvents {
  disconnected: [reason: string];
  /** A signal we subscribed to, sent by someone who does not own the name. */
  spoofed: [match: SignalMatch, sender: string];
  /** The bus made us the primary owner of a well-known name (also after waiting in its queue). */
  nameAcquired: [name: string];
  /** We stopped owning a well-known name (released, or replaced by another owner). */
  nameLost: [name: string];
}

interface PendingCall {
  resolve: (m: DbusMessage) => void;
  reject: (e: Error) => void;
  timer: Timer;
}

interface Subscription {
  match: SignalMatch;
  handler: (s: ReceivedSignal) => void;
}

/**
 * dbus-next reports a closed socket only on its private connection object, not on the
 * MessageBus: this is the one place the adapter reaches into the library. Checked at
 * connect, so a dbus-next upgrade that moves it fails loudly instead of going deaf.
 */
function onTransportEnd(bus: dbus.MessageBus, handler: () => void): void {
  const connection = (bus as unknown as { _connection?: { on?: (event: "end", h: () => void) => void } })._connection;
  if (typeof connection?.on !== "function") throw new Error("dbus-next no longer exposes its connection: cannot see the bus going away");
  connection.on("end", handler);
}

export class BusClient extends EventEmitter<BusClientEvents> {
  private readonly pending = new Map<number, PendingCall>();
  private readonly owners = new Map<string, string | null>();
  private readonly ownerWatchers = new Map<string, Set<(owner: string | null) => void>>();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  protected constructor(
    protected readonly bus: dbus.MessageBus,
    readonly uniqueName: string,
    private readonly callTimeoutMs: number,
    protected readonly log: Logger,
    private readonly clock: Clock = systemClock,
  ) {
    super();
    bus.on("message", (m: DbusMessage) => this.onMessage(m));
    bus.on("error", (e: Error) => this.lost(`bus error: ${e.message}`));
    onTransportEnd(bus, () => this.lost("bus connection closed"));
  }

  /** Opens a dbus-next connection and waits for the bus's Hello answer (our unique name). */
  protected static async open(opts: BusOptions): Promise<{ bus: dbus.MessageBus; name: string; callTimeoutMs: number; log: Logger; clock: Clock }> {
    const bus = opts.address === "system" ? dbus.systemBus() : dbus.sessionBus(opts.address === "session" ? {} : { busAddress: opts.address });
    const callTimeoutMs = opts.callTimeoutMs ?? 25_000;
    const clock = opts.clock ?? systemClock;
    const name = await new Promise<string>((resolve, reject) => {
      const timer = clock.after(callTimeoutMs, () => reject(new Error(`no answer from the bus at ${opts.address}`)));
      bus.once("connect", () => {
        timer.cancel();
        resolve((bus as unknown as { name: string }).name);
      });
      bus.once("error", (e: Error) => {
        timer.cancel();
        reject(new Error(`cannot connect to the bus at ${opts.address}: ${e.message}`));
      });
    });
    return { bus, name, callTimeoutMs, log: opts.log ?? silentLogger, clock };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A method call with a bounded wait; D-Bus errors reject as DbusError. */
  call(destination: string, path: string, iface: string, member: string, opts: CallOptions = {}): Promise<unknown[]> {
    if (this.closed) return Promise.reject(new DbusError(Errors.noReply, "bus connection is closed"));
    const msg = new Message({
      type: MessageType.METHOD_CALL,
      destination,
      path,
      interface: iface,
      member,
      signature: opts.signature ?? "",
      body: opts.body ?? [],
    });
    msg.serial = this.bus.newSerial();
    const timeoutMs = opts.timeoutMs ?? this.callTimeoutMs;
    return new Promise<DbusMessage>((resolve, reject) => {
      const timer = this.clock.after(timeoutMs, () => {
        this.pending.delete(msg.serial!);
        reject(new DbusError(Errors.timeout, `${destination} ${iface}.${member} gave no answer in ${timeoutMs} ms`));
      });
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
    const [reply] = await this.call(BUS_NAME, BUS_PATH, BUS_NAME, "RequestName", { signature: "su", body: [name, RequestNameFlag.DoNotQueue] });
    if (reply !== RequestNameReply.PrimaryOwner && reply !== RequestNameReply.AlreadyOwner) {
      throw new Error(`the bus name ${name} is already owned by another process`);
    }
  }

  /**
   * Owns `name`, or waits in the bus's queue for it (a standby behind an active owner):
   * "queued" means `nameAcquired` comes when the owner goes away.
   */
  async requestNameQueued(name: string): Promise<"owner" | "queued"> {
    const [reply] = await this.call(BUS_NAME, BUS_PATH, BUS_NAME, "RequestName", { signature: "su", body: [name, 0] });
    if (reply === RequestNameReply.PrimaryOwner || reply === RequestNameReply.AlreadyOwner) return "owner";
    if (reply === RequestNameReply.InQueue) return "queued";
    throw new Error(`the bus refused to queue us for ${name} (reply ${String(reply)})`);
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
      p.timer.cancel();
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
      p.timer.cancel();
      if (m.type === MessageType.ERROR) {
        const text: unknown = (m.body as unknown[])[0];
        p.reject(new DbusError(m.errorName ?? "unknown", typeof text === "string" ? text : (m.errorName ?? "")));
      } else p.resolve(m);
    } else if (m.type === MessageType.SIGNAL) {
      this.onSignalMessage(m);
    }
  }

  private onSignalMessage(m: DbusMessage): void {
    const body = m.body as unknown[];
    if (m.sender === BUS_NAME && m.interface === BUS_NAME) {
      if (m.member === "NameOwnerChanged") return this.onNameOwnerChanged(body as [string, string, string]);
      // Sent to us alone; our unique name's own NameAcquired (at Hello) is not news.
      const [name] = body as [string];
      if (m.member === "NameAcquired" && !name.startsWith(":")) this.emit("nameAcquired", name);
      if (m.member === "NameLost" && !name.startsWith(":")) this.emit("nameLost", name);
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

  private onNameOwnerChanged([name, , newOwner]: [string, string, string]): void {
    if (!this.ownerWatchers.has(name)) return;
    const owner = newOwner === "" ? null : newOwner;
    this.owners.set(name, owner);
    for (const w of this.ownerWatchers.get(name)!) w(owner);
  }
}
