/**
 * CertAuthority over D-Bus, as bmcweb does it: SignCSR on the CA manager, wait for the
 * entry's Status to leave Pending (PropertiesChanged from the manager, with a final read
 * at the limit), read ClientCertificate, and delete the entry after answering.
 *
 * Unlike bmcweb, each request has its own waiter, bound to the entry path *and* the
 * manager's unique bus name at the time SignCSR answered: a manager that restarts and
 * reuses `entry/1` can never wake another request's waiter, and every waiter of a manager
 * that left the bus fails at once (503). An entry removed while Pending fails at once too.
 */
import type { BusConnection, ReceivedSignal } from "../dbus/bus-connection.js";
import { CaEntryIface, CaManager, EntryState, HostBridgeStatus } from "../dbus/names.js";
import { silentLogger, type Logger } from "../log.js";
import { systemClock, type Clock } from "../os/clock.js";
import type { CertAuthority, SignOutcome } from "./cert-authority.js";

const PROPERTIES = "org.freedesktop.DBus.Properties";
const OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager";
/** How long signals for an entry nobody waits on yet are kept (SignCSR's reply may trail them). */
const EARLY_SIGNAL_KEEP_MS = 60_000;

/** What ends one request's wait. */
type WaitEnd = { kind: "status"; status: string } | { kind: "removed" } | { kind: "manager-gone"; detail: string } | { kind: "time-out" };

interface Waiter {
  /** The manager's unique name when SignCSR answered: only its signals count. */
  readonly owner: string;
  readonly path: string;
  /** Certificate carried by a PropertiesChanged (the daemon writes it before Status). */
  cert?: string;
  end(how: WaitEnd): void;
}

/** Signals about an entry that arrived before SignCSR's reply named it to us. */
interface Early {
  status?: string;
  cert?: string;
  removed?: boolean;
}

const key = (owner: string, path: string) => `${owner} ${path}`;

export class DbusCertAuthority implements CertAuthority {
  private readonly waiters = new Set<Waiter>();
  private readonly early = new Map<string, Early>();
  /** Bumped whenever the manager's owner changes, so a SignCSR that spanned a restart is caught. */
  private ownerGeneration = 0;

  private constructor(
    private readonly bus: BusConnection,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  static async start(bus: BusConnection, log: Logger = silentLogger, clock: Clock = systemClock): Promise<DbusCertAuthority> {
    const ca = new DbusCertAuthority(bus, log, clock);
    const from = { sender: CaManager.service, pathNamespace: CaManager.path };
    await bus.onSignal({ ...from, interface: PROPERTIES, member: "PropertiesChanged" }, (s) => ca.onPropertiesChanged(s));
    await bus.onSignal({ ...from, interface: OBJECT_MANAGER, member: "InterfacesRemoved" }, (s) => ca.onInterfacesRemoved(s));
    await bus.watchName(CaManager.service, (owner) => ca.onOwnerChanged(owner));
    bus.once("disconnected", (reason) => ca.failAll(`lost the D-Bus connection: ${reason}`));
    return ca;
  }

  async signCsr(csrPem: string, waitMs: number): Promise<SignOutcome> {
    const generation = this.ownerGeneration;
    let path: string;
    try {
      const [p] = await this.bus.call(CaManager.service, CaManager.path, CaManager.authority, "SignCSR", { signature: "s", body: [csrPem] });
      path = String(p);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, "SignCSR failed");
      return generation === this.ownerGeneration
        ? { kind: "error", detail: (e as Error).message }
        : { kind: "unavailable", detail: "the CA manager left the bus during SignCSR" };
    }
    const owner = this.bus.ownerOf(CaManager.service);
    if (owner === null || generation !== this.ownerGeneration) {
      this.log.warn({ path }, "the CA manager restarted while SignCSR was answered; not waiting on an entry it may have forgotten");
      return { kind: "unavailable", detail: "the CA manager restarted during SignCSR" };
    }
    const waiter = this.waitFor(owner, path, waitMs);
    let deleteEntry = true;
    try {
      const end = await waiter.ended;
      switch (end.kind) {
        case "manager-gone":
          deleteEntry = false;
          return { kind: "unavailable", detail: end.detail };
        case "removed":
          deleteEntry = false;
          this.log.warn({ path }, "the entry was removed before the host answered");
          return { kind: "entry-gone", detail: `${path} was removed while Pending` };
        case "status":
          return await this.outcomeOf(waiter.waiter, end.status);
        default: {
          // Timed out. A last look, as bmcweb does: the change may have raced the subscription.
          const status = await this.bus.getProperty(CaManager.service, path, CaEntryIface.entry, "Status").catch((e: unknown) => e as Error);
          // bmcweb answers a failed read "Failed to get request status".
          if (status instanceof Error) return { kind: "entry-gone", detail: `reading ${path} Status failed: ${status.message}` };
          return await this.outcomeOf(waiter.waiter, String(status));
        }
      }
    } catch (e) {
      return { kind: "error", detail: (e as Error).message };
    } finally {
      // Never delete after a restart: the path may now be another request's entry.
      if (deleteEntry && this.bus.ownerOf(CaManager.service) === owner) {
        await this.bus
          .call(CaManager.service, path, CaEntryIface.delete, "Delete")
          .catch((e: unknown) => this.log.warn({ path, err: (e as Error).message }, "could not delete the entry"));
      }
    }
  }

  /** The daemon's reason for a BadCSR (an attestation denial, the host's refusal); "" when it has none. */
  private async badCsrReason(path: string): Promise<string> {
    const [reason] = await this.bus
      .call(HostBridgeStatus.service, HostBridgeStatus.path, HostBridgeStatus.iface, "BadCsrReason", { signature: "o", body: [path], timeoutMs: 1000 })
      .catch(() => [""]);
    return typeof reason === "string" ? reason : "";
  }

  private async outcomeOf(waiter: Waiter, status: string): Promise<SignOutcome> {
    if (status === EntryState.BadCSR) return { kind: "bad-csr", reason: await this.badCsrReason(waiter.path) };
    if (status !== EntryState.Complete) return { kind: "pending" };
    const cert = waiter.cert ?? (await this.bus.getProperty(CaManager.service, waiter.path, CaEntryIface.entry, "ClientCertificate"));
    return { kind: "complete", certificate: typeof cert === "string" ? cert : "" };
  }

  /** Registers this request's own waiter, first replaying what arrived before SignCSR's reply. */
  private waitFor(owner: string, path: string, waitMs: number): { waiter: Waiter; ended: Promise<WaitEnd> } {
    let end!: (how: WaitEnd) => void;
    const ended = new Promise<WaitEnd>((resolve) => (end = resolve));
    const timer = this.clock.after(waitMs, () => waiter.end({ kind: "time-out" }));
    const waiter: Waiter = {
      owner,
      path,
      end: (how) => {
        timer.cancel();
        this.waiters.delete(waiter);
        end(how);
      },
    };
    this.waiters.add(waiter);
    const early = this.early.get(key(owner, path));
    this.early.delete(key(owner, path));
    if (early?.cert !== undefined) waiter.cert = early.cert;
    if (early?.status !== undefined) waiter.end({ kind: "status", status: early.status });
    else if (early?.removed) waiter.end({ kind: "removed" });
    return { waiter, ended };
  }

  private waitersOf(s: ReceivedSignal, path: string): Waiter[] {
    return [...this.waiters].filter((w) => w.owner === s.sender && w.path === path);
  }

  private onPropertiesChanged(s: ReceivedSignal): void {
    const [iface, changed] = s.body as [string, Record<string, { value: unknown } | undefined>];
    if (iface !== CaEntryIface.entry) return;
    const cert = changed.ClientCertificate?.value;
    const status = changed.Status?.value;
    const final = typeof status === "string" && status !== EntryState.Pending ? status : undefined;
    const waiters = this.waitersOf(s, s.path);
    if (waiters.length === 0) {
      if (typeof cert !== "string" && final === undefined) return;
      const early = this.remember(s.sender, s.path);
      if (typeof cert === "string") early.cert = cert;
      if (final !== undefined) early.status = final;
      return;
    }
    for (const waiter of waiters) {
      if (typeof cert === "string") waiter.cert = cert;
      if (final !== undefined) waiter.end({ kind: "status", status: final });
    }
  }

  private onInterfacesRemoved(s: ReceivedSignal): void {
    const [path, ifaces] = s.body as [string, string[]];
    if (!ifaces.includes(CaEntryIface.entry)) return;
    const waiters = this.waitersOf(s, path);
    if (waiters.length === 0) this.remember(s.sender, path).removed = true;
    for (const waiter of waiters) waiter.end({ kind: "removed" });
  }

  private onOwnerChanged(owner: string | null): void {
    this.ownerGeneration += 1;
    // What was seen from an earlier manager is void; so is every wait on it.
    this.early.clear();
    const gone = [...this.waiters].filter((w) => w.owner !== owner);
    if (gone.length > 0) this.log.error({ waiting: gone.length, owner }, "the CA manager left the bus; failing the requests that waited on it");
    for (const waiter of gone) waiter.end({ kind: "manager-gone", detail: "the CA manager left the bus" });
  }

  private failAll(detail: string): void {
    for (const waiter of [...this.waiters]) waiter.end({ kind: "manager-gone", detail });
  }

  private remember(owner: string, path: string): Early {
    const k = key(owner, path);
    let early = this.early.get(k);
    if (!early) {
      this.early.set(k, (early = {}));
      const kept = early;
      this.clock.after(EARLY_SIGNAL_KEEP_MS, () => {
        if (this.early.get(k) === kept) this.early.delete(k);
      });
    }
    return early;
  }
}
