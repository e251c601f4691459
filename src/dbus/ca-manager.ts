/**
 * The CA manager (bmc-vmi-ca's role): SignCSR makes an entry holding the CSR under
 * /xyz/openbmc_project/certs/ca and announces it with InterfacesAdded; the PLDM side
 * writes ClientCertificate and Status back; clients delete entries when done. On a real
 * BMC the real one runs; this one serves tests and the local stack. With a state file its
 * entries survive a restart (the real one keeps them in memory only) and ids never go
 * backwards. Entries nobody collects are deleted after a bound (a client that died).
 */
import { silentLogger, type Logger } from "../log.js";
import { systemClock, type Clock, type Timer } from "../os/clock.js";
import type { BusConnection } from "./bus-connection.js";
import { CaStateFile, type StoredEntry } from "./ca-state-file.js";
import { DbusError, Errors, invalidEnumString, type ExportedObject } from "./exported-object.js";
import { CaEntryIface, CaManager, CaManagerState, EntryState, entryPath, type EntryStateValue } from "./names.js";

const STATES = new Set<string>(Object.values(EntryState));

export interface CaManagerOptions {
  statePath?: string;
  log?: Logger;
  /** An entry no longer Pending is deleted this long after it settled (its client collected it or died). */
  settledRetentionMs?: number;
  /** A Pending entry is deleted this long after it was made, settled or not. */
  pendingRetentionMs?: number;
  /** Time for entry stamps, retention and the gathered save; tests pass a ManualClock. */
  clock?: Clock;
}

export const DEFAULT_RETENTION = { settledRetentionMs: 10 * 60_000, pendingRetentionMs: 60 * 60_000 } as const;

interface Live {
  obj: ExportedObject;
  createdAt: number;
  settledAt: number | null;
  expiry: Timer | null;
}

export class CaManagerService {
  private nextId = 1;
  private readonly entries = new Map<number, Live>();
  private saveTimer: Timer | null = null;
  private readonly state: CaStateFile | null;
  private readonly clock: Clock;
  private readonly retention: { settledRetentionMs: number; pendingRetentionMs: number };
  private managerObj: ExportedObject | null = null;
  readonly counters = { expired: 0 };

  private constructor(
    private readonly bus: BusConnection,
    opts: CaManagerOptions,
    private readonly log: Logger,
  ) {
    this.state = opts.statePath ? new CaStateFile(opts.statePath) : null;
    this.clock = opts.clock ?? systemClock;
    this.retention = {
      settledRetentionMs: opts.settledRetentionMs ?? DEFAULT_RETENTION.settledRetentionMs,
      pendingRetentionMs: opts.pendingRetentionMs ?? DEFAULT_RETENTION.pendingRetentionMs,
    };
  }

  /** Exports the manager, restores saved entries, then takes the well-known name. */
  static async start(bus: BusConnection, opts: CaManagerOptions = {}): Promise<CaManagerService> {
    const svc = new CaManagerService(bus, opts, opts.log ?? silentLogger);
    bus.addObjectManager(CaManager.path);
    svc.managerObj = bus.exportObject(CaManager.path, [
      { name: CaManager.authority, methods: { SignCSR: { in: "s", out: "o", argNames: ["CSR", "path"], handler: ([csr]) => [svc.signCsr(String(csr))] } } },
      { name: CaManager.deleteAll, methods: { DeleteAll: { in: "", out: "", handler: () => (svc.deleteAll(), []) } } },
      // Not bmc-vmi-ca's: what went wrong with the state file at start, "" when nothing did.
      { name: CaManagerState.iface, properties: { StateProblem: { type: "s", value: "", access: "read" } } },
    ]);
    svc.restore();
    await bus.requestName(CaManager.service);
    return svc;
  }

  get size(): number {
    return this.entries.size;
  }

  signCsr(csr: string): string {
    const bytes = new TextEncoder().encode(csr).length;
    if (bytes === 0) throw new DbusError(Errors.invalidArgument, "the CSR is empty");
    if (bytes > CaManager.maxCsrBytes) throw new DbusError(Errors.invalidArgument, `the CSR is ${bytes} bytes; at most ${CaManager.maxCsrBytes} are accepted`);
    const id = this.nextId++;
    this.addEntry({ id, csr, clientCertificate: "", status: EntryState.Pending, createdAt: this.clock.now(), settledAt: null });
    // The entry (and the id it used) is on disk before the client hears of it.
    if (!this.save(true)) {
      this.deleteEntry(id);
      throw new DbusError(Errors.internalFailure, "the CA state could not be saved; no entry was made");
    }
    this.log.info({ id, bytes }, "CSR entry created");
    return entryPath(id);
  }

  deleteAll(): void {
    for (const id of [...this.entries.keys()]) this.deleteEntry(id);
  }

  close(): void {
    for (const live of this.entries.values()) live.expiry?.cancel();
    this.flush();
  }

  private addEntry(e: StoredEntry): void {
    const obj = this.bus.exportObject(entryPath(e.id), [
      { name: CaEntryIface.csr, properties: { CSR: { type: "s", value: e.csr, access: "const" } } },
      {
        name: CaEntryIface.entry,
        properties: {
          ClientCertificate: { type: "s", value: e.clientCertificate, access: "readwrite" },
          Status: {
            type: "s",
            value: e.status,
            access: "readwrite",
            onSet: (v) => {
              if (!STATES.has(String(v))) throw invalidEnumString();
              return v;
            },
          },
        },
      },
      { name: CaEntryIface.delete, methods: { Delete: { in: "", out: "", handler: () => (this.deleteEntry(e.id), []) } } },
    ]);
    const live: Live = { obj, createdAt: e.createdAt, settledAt: e.settledAt, expiry: null };
    const save = obj.onPropertiesChanged;
    obj.onPropertiesChanged = (iface, changed) => {
      save?.(iface, changed);
      if (live.settledAt === null && "Status" in changed && changed.Status !== EntryState.Pending) {
        live.settledAt = this.clock.now();
        this.scheduleExpiry(e.id, live);
      }
      this.save();
    };
    this.entries.set(e.id, live);
    this.scheduleExpiry(e.id, live);
  }

  /** Deletes the entry when its bound is up: settled ones after settledRetentionMs, others after pendingRetentionMs. */
  private scheduleExpiry(id: number, live: Live): void {
    live.expiry?.cancel();
    const due = live.settledAt !== null ? live.settledAt + this.retention.settledRetentionMs : live.createdAt + this.retention.pendingRetentionMs;
    live.expiry = this.clock.after(Math.max(0, due - this.clock.now()), () => {
      this.counters.expired++;
      this.log.warn({ id, settled: live.settledAt !== null }, "deleting an entry nobody collected");
      this.deleteEntry(id);
    });
  }

  private deleteEntry(id: number): void {
    const live = this.entries.get(id);
    if (!live) return;
    live.expiry?.cancel();
    this.entries.delete(id);
    this.bus.unexportObject(entryPath(id));
    this.log.info({ id }, "CSR entry deleted");
    this.save();
  }

  private snapshot(): StoredEntry[] {
    return [...this.entries].map(([id, { obj, createdAt, settledAt }]) => ({
      id,
      csr: String(obj.get(CaEntryIface.csr, "CSR")),
      clientCertificate: String(obj.get(CaEntryIface.entry, "ClientCertificate")),
      status: obj.get(CaEntryIface.entry, "Status") as EntryStateValue,
      createdAt,
      settledAt,
    }));
  }

  /**
   * Saves durably (ca-state-file.ts). A new entry is saved before SignCSR answers, so an
   * entry a client was told about survives a crash right after; other changes are gathered
   * for a moment (they would be redone anyway after a crash). False when the write failed.
   */
  private save(now = false): boolean {
    if (!this.state) return true;
    if (!now) {
      this.saveTimer ??= this.clock.after(100, () => this.save(true));
      return true;
    }
    this.saveTimer?.cancel();
    this.saveTimer = null;
    try {
      this.state.save(this.snapshot(), this.nextId);
      return true;
    } catch (e) {
      this.log.error({ err: (e as Error).message, path: this.state.path }, "could not save CA entries");
      return false;
    }
  }

  /** Saves what is pending (on a clean stop). */
  flush(): void {
    if (this.saveTimer) this.save(true);
  }

  private restore(): void {
    if (!this.state) return;
    const loaded = this.state.load(this.clock.now());
    this.nextId = loaded.nextId;
    if (loaded.problem) {
      this.log.error({ path: this.state.path, problem: loaded.problem }, "CA state file unreadable; kept aside");
      this.managerObj?.set(CaManagerState.iface, "StateProblem", loaded.problem);
    }
    for (const e of loaded.entries) this.addEntry(e);
    // Ids taken from beyond a damaged file are on disk before any is handed out.
    this.save(true);
    this.log.info({ entries: loaded.entries.length, nextId: this.nextId }, "CA entries restored");
  }
}
