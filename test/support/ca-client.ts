/**
 * A fast in-process client of the CA manager for the long runs: SignCSR over one bus
 * connection (busctl per request would dominate), and a record of every PropertiesChanged
 * on the entries, so a certificate written twice to one entry is seen.
 */
import { BusConnection } from "../../src/dbus/bus-connection.js";
import { CaEntryIface, CaManager, EntryState } from "../../src/dbus/names.js";
import { eventually } from "./dbus.js";

export interface EntryRecord {
  /** ClientCertificate values written to the entry (each PropertiesChanged naming it). */
  certWrites: string[];
  status: string;
}

export class CaClient {
  readonly entries = new Map<string, EntryRecord>();

  private constructor(readonly bus: BusConnection) {}

  static async connect(address: string): Promise<CaClient> {
    const client = new CaClient(await BusConnection.connect({ address, callTimeoutMs: 10_000 }));
    await client.bus.onSignal(
      { sender: CaManager.service, pathNamespace: CaManager.path, interface: "org.freedesktop.DBus.Properties", member: "PropertiesChanged" },
      ({ path, body }) => {
        const [iface, changed] = body as [string, Record<string, { value: unknown }>];
        if (iface !== CaEntryIface.entry) return;
        const rec = client.record(path);
        if (changed.ClientCertificate) rec.certWrites.push(String(changed.ClientCertificate.value));
        if (changed.Status) rec.status = String(changed.Status.value);
      },
    );
    return client;
  }

  async signCsr(csr: string): Promise<string> {
    const [path] = await this.bus.call(CaManager.service, CaManager.path, CaManager.authority, "SignCSR", { signature: "s", body: [csr] });
    this.record(String(path));
    return String(path);
  }

  /** The entry's properties as the manager holds them now (not as signalled). */
  async read(path: string): Promise<{ status: string; cert: string }> {
    const get = (p: string) => this.bus.getProperty(CaManager.service, path, CaEntryIface.entry, p);
    return { status: String(await get("Status")), cert: String(await get("ClientCertificate")) };
  }

  /** Waits until every path has left Pending, as the manager says; returns how long it took. */
  async waitAllFinal(paths: readonly string[], ms: number): Promise<number> {
    const t0 = Date.now();
    await eventually(() => (paths.every((p) => this.entries.get(p)?.status !== EntryState.Pending) ? true : undefined), ms, `${paths.length} entries final`);
    return Date.now() - t0;
  }

  close(): void {
    this.bus.close();
  }

  private record(path: string): EntryRecord {
    let rec = this.entries.get(path);
    if (!rec) this.entries.set(path, (rec = { certWrites: [], status: EntryState.Pending }));
    return rec;
  }
}
