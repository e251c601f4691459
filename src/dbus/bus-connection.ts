/**
 * A bus connection that also serves objects: the client (bus-client.ts) with the object
 * server (object-server.ts) answering calls on the same connection. This is what the
 * daemon, the CA manager and the other services hold.
 */
import type dbus from "dbus-next";
import type { Logger } from "../log.js";
import type { Clock } from "../os/clock.js";
import { BusClient, type BusOptions, type DbusMessage } from "./bus-client.js";
import type { ExportedObject, InterfaceSpec } from "./exported-object.js";
import { ObjectServer } from "./object-server.js";

export {
  RequestNameFlag,
  RequestNameReply,
  type BusClientEvents,
  type BusOptions,
  type CallOptions,
  type ReceivedSignal,
  type SignalMatch,
} from "./bus-client.js";

export class BusConnection extends BusClient {
  private readonly server: ObjectServer;

  private constructor(bus: dbus.MessageBus, uniqueName: string, callTimeoutMs: number, log: Logger, clock: Clock) {
    super(bus, uniqueName, callTimeoutMs, log, clock);
    this.server = new ObjectServer({ send: (m: DbusMessage) => this.bus.send(m), emitSignal: (...a) => this.emitSignal(...a), log });
    // Returning false lets dbus-next answer (Peer).
    bus.addMethodHandler((m: DbusMessage) => this.server.onMethodCall(m));
  }

  static async connect(opts: BusOptions): Promise<BusConnection> {
    const { bus, name, callTimeoutMs, log, clock } = await BusClient.open(opts);
    return new BusConnection(bus, name, callTimeoutMs, log, clock);
  }

  exportObject(path: string, specs: InterfaceSpec[]): ExportedObject {
    return this.server.exportObject(path, specs);
  }

  unexportObject(path: string): void {
    this.server.unexportObject(path);
  }

  /** Serves org.freedesktop.DBus.ObjectManager at `path` for the objects below it. */
  addObjectManager(path: string): void {
    this.server.addObjectManager(path);
  }
}
