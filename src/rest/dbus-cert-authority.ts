/**
 * CertAuthority over D-Bus, as bmcweb does it: SignCSR on the CA manager, wait for the
 * entry's Status to leave Pending (PropertiesChanged from the manager, with a final read
 * at the limit), read ClientCertificate, and delete the entry after answering.
 */
import type { BusConnection } from "../dbus/bus-connection.js";
import { CaEntryIface, CaManager, EntryState } from "../dbus/names.js";
import { silentLogger, type Logger } from "../log.js";
import type { CertAuthority, SignOutcome } from "./cert-authority.js";

type Waiter = (status: string) => void;

export class DbusCertAuthority implements CertAuthority {
  private readonly waiters = new Map<string, Waiter>();
  /** Statuses that arrived before SignCSR's reply told us the path. */
  private readonly early = new Map<string, string>();

  private constructor(
    private readonly bus: BusConnection,
    private readonly log: Logger,
  ) {}

  static async start(bus: BusConnection, log: Logger = silentLogger): Promise<DbusCertAuthority> {
    const ca = new DbusCertAuthority(bus, log);
    await bus.onSignal(
      { sender: CaManager.service, pathNamespace: CaManager.path, interface: "org.freedesktop.DBus.Properties", member: "PropertiesChanged" },
      (s) => {
        const [iface, changed] = s.body as [string, Record<string, { value: unknown } | undefined>];
        const status = changed.Status?.value;
        if (iface !== CaEntryIface.entry || typeof status !== "string" || status === EntryState.Pending) return;
        const w = ca.waiters.get(s.path);
        if (w) w(status);
        else ca.remember(s.path, status);
      },
    );
    return ca;
  }

  async signCsr(csrPem: string, waitMs: number): Promise<SignOutcome> {
    let path: string;
    try {
      const [p] = await this.bus.call(CaManager.service, CaManager.path, CaManager.authority, "SignCSR", { signature: "s", body: [csrPem] });
      path = String(p);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, "SignCSR failed");
      return { kind: "error", detail: (e as Error).message };
    }
    try {
      const status = await this.waitForStatus(path, waitMs);
      if (status === EntryState.BadCSR) return { kind: "bad-csr" };
      if (status !== EntryState.Complete) return { kind: "pending" };
      const cert = await this.bus.getProperty(CaManager.service, path, CaEntryIface.entry, "ClientCertificate");
      return { kind: "complete", certificate: typeof cert === "string" ? cert : "" };
    } catch (e) {
      return { kind: "error", detail: (e as Error).message };
    } finally {
      await this.bus.call(CaManager.service, path, CaEntryIface.delete, "Delete").catch((e: unknown) => this.log.warn({ path, err: (e as Error).message }, "could not delete the entry"));
    }
  }

  private async waitForStatus(path: string, waitMs: number): Promise<string> {
    const early = this.early.get(path);
    if (early) {
      this.early.delete(path);
      return early;
    }
    const status = await new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), waitMs);
      this.waiters.set(path, (s) => {
        clearTimeout(timer);
        resolve(s);
      });
    }).finally(() => this.waiters.delete(path));
    if (status) return status;
    // A last look: the change may have raced our subscription.
    return String(await this.bus.getProperty(CaManager.service, path, CaEntryIface.entry, "Status"));
  }

  private remember(path: string, status: string): void {
    this.early.set(path, status);
    // Only a moment's worth: an unclaimed early status belongs to someone else's request.
    setTimeout(() => this.early.delete(path), 5000).unref();
  }
}
