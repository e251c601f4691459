/**
 * CertAuthority over D-Bus, as bmcweb does it: SignCSR on the CA manager, wait for the
 * entry's Status to leave Pending (PropertiesChanged from the manager, with a final read
 * at the limit), read ClientCertificate, and delete the entry after answering.
 */
import type { BusConnection } from "../dbus/bus-connection.js";
import { CaEntryIface, CaManager, EntryState, HostBridgeStatus } from "../dbus/names.js";
import { silentLogger, type Logger } from "../log.js";
import type { CertAuthority, SignOutcome } from "./cert-authority.js";

type Waiter = (status: string) => void;

/** What the entry's PropertiesChanged told us; the daemon writes ClientCertificate before Status. */
interface Seen {
  status?: string;
  cert?: string;
}

export class DbusCertAuthority implements CertAuthority {
  private readonly waiters = new Map<string, Waiter>();
  /** Per entry path: the certificate and status seen in signals, including before SignCSR's reply named the path. */
  private readonly seen = new Map<string, Seen>();

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
        if (iface !== CaEntryIface.entry) return;
        const cert = changed.ClientCertificate?.value;
        const status = changed.Status?.value;
        const seen = ca.remember(s.path);
        if (typeof cert === "string") seen.cert = cert;
        if (typeof status !== "string" || status === EntryState.Pending) return;
        seen.status = status;
        ca.waiters.get(s.path)?.(status);
      },
    );
    // A restarted manager numbers its entries from 1 again: what we saw of the old ones is void.
    await bus.watchName(CaManager.service, () => {
      for (const path of ca.seen.keys()) if (!ca.waiters.has(path)) ca.seen.delete(path);
    });
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
      if (status === EntryState.BadCSR) return { kind: "bad-csr", reason: await this.badCsrReason(path) };
      if (status !== EntryState.Complete) return { kind: "pending" };
      // The certificate came in a signal just before Status; read it only if that was missed.
      const cert = this.seen.get(path)?.cert ?? (await this.bus.getProperty(CaManager.service, path, CaEntryIface.entry, "ClientCertificate"));
      return { kind: "complete", certificate: typeof cert === "string" ? cert : "" };
    } catch (e) {
      return { kind: "error", detail: (e as Error).message };
    } finally {
      this.seen.delete(path);
      await this.bus.call(CaManager.service, path, CaEntryIface.delete, "Delete").catch((e: unknown) => this.log.warn({ path, err: (e as Error).message }, "could not delete the entry"));
    }
  }

  /** The daemon's reason for a BadCSR (an attestation denial, the host's refusal); "" when it has none. */
  private async badCsrReason(path: string): Promise<string> {
    const [reason] = await this.bus
      .call(HostBridgeStatus.service, HostBridgeStatus.path, HostBridgeStatus.iface, "BadCsrReason", { signature: "o", body: [path], timeoutMs: 1000 })
      .catch(() => [""]);
    return String(reason ?? "");
  }

  private async waitForStatus(path: string, waitMs: number): Promise<string> {
    const early = this.seen.get(path)?.status;
    if (early) return early;
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

  private remember(path: string): Seen {
    let seen = this.seen.get(path);
    if (!seen) {
      this.seen.set(path, (seen = {}));
      // Only a moment's worth for entries nobody here waits on (someone else's requests).
      setTimeout(() => {
        if (!this.waiters.has(path)) this.seen.delete(path);
      }, 60_000).unref();
    }
    return seen;
  }
}
