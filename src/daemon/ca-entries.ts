/**
 * The D-Bus side of the bridge: finds Pending CA entries (InterfacesAdded from the CA
 * manager's current owner, and a full read whenever the manager (re)appears), hands them
 * to the bridge, and writes results back: ClientCertificate first, then Status, so a
 * watcher of Status can read the certificate.
 */
import type { BusConnection } from "../dbus/bus-connection.js";
import { CaEntryIface, CaManager, EntryState, entryIdOf } from "../dbus/names.js";
import { silentLogger, type Logger } from "../log.js";
import { isBoundToCsr } from "../x509/checks.js";
import type { CaEntry, CaEntrySink, CertRequestBridge } from "./cert-request-bridge.js";

type Props = Record<string, Record<string, { value: unknown } | undefined> | undefined>;
const OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager";

export class CaEntries implements CaEntrySink {
  private bridge: CertRequestBridge | null = null;
  /** Bumped on every owner change so a slow resync of an old owner is discarded. */
  private epoch = 0;
  readonly counters = { spoofed: 0, resyncs: 0 };
  /** Asked before an entry goes to the bridge (attestation pre-announce): a reason denies it (BadCSR). */
  beforeAnnounce: ((entry: CaEntry) => Promise<string | null>) | null = null;
  /** Entries (id to CSR) whose pre-announce check runs; removed when the entry goes meanwhile. */
  private readonly admitting = new Map<number, string>();

  constructor(
    private readonly bus: BusConnection,
    private readonly log: Logger = silentLogger,
    private readonly callTimeoutMs = 5000,
  ) {}

  async start(bridge: CertRequestBridge): Promise<void> {
    this.bridge = bridge;
    // The adapter logs each spoof; we count the ones aimed at the CA manager's signals.
    this.bus.on("spoofed", (match) => {
      if (match.sender === CaManager.service) this.counters.spoofed++;
    });
    const om = { sender: CaManager.service, path: CaManager.path, interface: OBJECT_MANAGER };
    await this.bus.onSignal({ ...om, member: "InterfacesAdded" }, (s) => this.consider(s.body[0] as string, s.body[1] as Props, this.epoch));
    await this.bus.onSignal({ ...om, member: "InterfacesRemoved" }, (s) => {
      const id = entryIdOf(s.body[0] as string);
      if (id === null) return;
      this.admitting.delete(id);
      this.bridge?.drop(id);
    });
    await this.bus.watchName(CaManager.service, (owner) => {
      const epoch = ++this.epoch;
      if (owner) void this.resync(epoch);
      else this.managerGone();
    });
  }

  async complete(entry: CaEntry, certPem: string): Promise<void> {
    // The path must still hold this CSR: a manager that restarted may have given the id to another request.
    const csr = await this.bus.getProperty(CaManager.service, entry.path, CaEntryIface.csr, "CSR", this.callTimeoutMs);
    if (csr !== entry.csr) throw new Error(`${entry.path} now holds another CSR; the certificate is not written there`);
    await this.set(entry, "ClientCertificate", certPem);
    await this.set(entry, "Status", EntryState.Complete);
    this.log.info({ id: entry.id }, "entry Complete");
  }

  async badCsr(entry: CaEntry, why: string): Promise<void> {
    await this.set(entry, "Status", EntryState.BadCSR);
    this.log.info({ id: entry.id, why }, "entry BadCSR");
  }

  /** Hands the entry to the bridge, after the pre-announce check when there is one. */
  private admit(entry: CaEntry): void {
    const bridge = this.bridge!;
    if (!this.beforeAnnounce) return bridge.take(entry);
    if (bridge.isTracked(entry.id) || this.admitting.has(entry.id)) return;
    this.admitting.set(entry.id, entry.csr);
    void this.beforeAnnounce(entry).then(
      async (denial) => {
        // Gone (deleted, or the manager left and the id now names another CSR) while the hook ran: nothing to do.
        if (this.admitting.get(entry.id) !== entry.csr) return;
        this.admitting.delete(entry.id);
        if (denial === null) return bridge.take(entry);
        await this.badCsr(entry, denial).catch((e: unknown) =>
          this.log.error({ id: entry.id, err: (e as Error).message }, "could not mark a denied entry BadCSR"),
        );
      },
      (e: unknown) => {
        this.admitting.delete(entry.id);
        this.log.error({ id: entry.id, err: (e as Error).message }, "pre-announce check failed; the entry stays Pending");
      },
    );
  }

  private set(entry: CaEntry, prop: string, value: string): Promise<void> {
    return this.bus.setProperty(CaManager.service, entry.path, CaEntryIface.entry, prop, "s", value, this.callTimeoutMs);
  }

  /** Takes up every Pending entry the manager holds, and forgets ones it no longer has. */
  private async resync(epoch: number): Promise<void> {
    this.counters.resyncs++;
    let objects: Record<string, Props>;
    try {
      const [body] = await this.bus.call(CaManager.service, CaManager.path, OBJECT_MANAGER, "GetManagedObjects", { timeoutMs: this.callTimeoutMs });
      objects = body as Record<string, Props>;
    } catch (e) {
      this.log.error({ err: (e as Error).message }, "could not read the CA entries; waiting for the manager to reappear");
      return;
    }
    if (epoch !== this.epoch) return;
    const present = new Set<number>();
    for (const [path, props] of Object.entries(objects)) {
      const id = entryIdOf(path);
      if (id !== null) present.add(id);
      this.consider(path, props, epoch);
    }
    for (const id of this.bridge?.trackedIds() ?? []) if (!present.has(id)) this.bridge?.drop(id);
    this.log.info({ entries: present.size }, "CA entries read");
  }

  private managerGone(): void {
    this.admitting.clear();
    this.log.warn("the CA manager left the bus; its entries are dropped until it comes back");
    for (const id of this.bridge?.trackedIds() ?? []) this.bridge?.drop(id);
  }

  private consider(path: string, props: Props, epoch: number): void {
    if (epoch !== this.epoch || !this.bridge) return;
    const id = entryIdOf(path);
    const csr = props[CaEntryIface.csr]?.CSR?.value;
    const entryProps = props[CaEntryIface.entry];
    if (id === null || typeof csr !== "string" || !entryProps) {
      this.log.warn({ path }, "ignored an object under the CA path that is not a CSR entry");
      return;
    }
    const status = entryProps.Status?.value;
    if (status !== EntryState.Pending) return;
    const entry = { id, path, csr };
    const cert = entryProps.ClientCertificate?.value;
    if (typeof cert === "string" && cert !== "") void this.finishHalfWritten(entry, cert, epoch);
    else this.admit(entry);
  }

  /**
   * A previous run wrote the certificate and stopped before Status: finish that write, but
   * only for a certificate of this CSR's key; anything else is signed again (and overwritten).
   */
  private async finishHalfWritten(entry: CaEntry, cert: string, epoch: number): Promise<void> {
    if (!(await isBoundToCsr(cert, entry.csr))) {
      this.log.warn({ id: entry.id }, "a Pending entry holds a certificate that is not for its CSR; signing it again");
      if (epoch === this.epoch) this.admit(entry);
      return;
    }
    try {
      await this.set(entry, "Status", EntryState.Complete);
      this.log.info({ id: entry.id }, "finished a Complete left half-written");
    } catch (e) {
      this.log.error({ id: entry.id, err: (e as Error).message }, "could not finish a half-written entry");
    }
  }
}
