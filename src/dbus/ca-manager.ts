/**
 * The CA manager (bmc-vmi-ca's role): SignCSR makes an entry holding the CSR under
 * /xyz/openbmc_project/certs/ca and announces it with InterfacesAdded; the PLDM side
 * writes ClientCertificate and Status back; clients delete entries when done. On a real
 * BMC the real one runs; this one serves tests and the local stack. With a state file its
 * entries survive a restart (the real one keeps them in memory only).
 */
import { promises as fs, renameSync, writeFileSync } from "node:fs";
import { silentLogger, type Logger } from "../log.js";
import type { BusConnection } from "./bus-connection.js";
import { DbusError, Errors, invalidEnumString, type ExportedObject } from "./exported-object.js";
import { CaEntryIface, CaManager, EntryState, entryPath, type EntryStateValue } from "./names.js";

interface StoredEntry {
  id: number;
  csr: string;
  clientCertificate: string;
  status: EntryStateValue;
}

const STATES = new Set<string>(Object.values(EntryState));

export class CaManagerService {
  private nextId = 1;
  private readonly entries = new Map<number, ExportedObject>();
  private saveTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly bus: BusConnection,
    private readonly statePath: string | null,
    private readonly log: Logger,
  ) {}

  /** Exports the manager, restores saved entries, then takes the well-known name. */
  static async start(bus: BusConnection, opts: { statePath?: string; log?: Logger } = {}): Promise<CaManagerService> {
    const svc = new CaManagerService(bus, opts.statePath ?? null, opts.log ?? silentLogger);
    bus.addObjectManager(CaManager.path);
    bus.exportObject(CaManager.path, [
      { name: CaManager.authority, methods: { SignCSR: { in: "s", out: "o", argNames: ["CSR", "path"], handler: ([csr]) => [svc.signCsr(String(csr))] } } },
      { name: CaManager.deleteAll, methods: { DeleteAll: { in: "", out: "", handler: () => (svc.deleteAll(), []) } } },
    ]);
    await svc.restore();
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
    this.addEntry({ id, csr, clientCertificate: "", status: EntryState.Pending });
    this.log.info({ id, bytes }, "CSR entry created");
    return entryPath(id);
  }

  deleteAll(): void {
    for (const id of [...this.entries.keys()]) this.deleteEntry(id);
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
    const save = obj.onPropertiesChanged;
    obj.onPropertiesChanged = (iface, changed) => {
      save?.(iface, changed);
      this.save();
    };
    this.entries.set(e.id, obj);
    this.save(true);
  }

  private deleteEntry(id: number): void {
    if (!this.entries.delete(id)) return;
    this.bus.unexportObject(entryPath(id));
    this.log.info({ id }, "CSR entry deleted");
    this.save();
  }

  private snapshot(): { nextId: number; entries: StoredEntry[] } {
    const entries = [...this.entries].map(([id, obj]) => ({
      id,
      csr: String(obj.get(CaEntryIface.csr, "CSR")),
      clientCertificate: String(obj.get(CaEntryIface.entry, "ClientCertificate")),
      status: obj.get(CaEntryIface.entry, "Status") as EntryStateValue,
    }));
    return { nextId: this.nextId, entries };
  }

  /**
   * Writes the state file aside and renames it in. A new entry is saved before SignCSR
   * answers, so an entry a client was told about survives a crash right after; other
   * changes are gathered for a moment (they would be redone anyway after a crash).
   */
  private save(now = false): void {
    if (!this.statePath) return;
    if (!now) {
      this.saveTimer ??= setTimeout(() => this.save(true), 100);
      return;
    }
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const path = this.statePath;
    try {
      writeFileSync(`${path}.tmp`, JSON.stringify(this.snapshot()));
      renameSync(`${path}.tmp`, path);
    } catch (e) {
      this.log.error({ err: (e as Error).message, path }, "could not save CA entries");
    }
  }

  /** Saves what is pending (on a clean stop). */
  flush(): void {
    if (this.saveTimer) this.save(true);
  }

  private async restore(): Promise<void> {
    if (!this.statePath) return;
    let text: string;
    try {
      text = await fs.readFile(this.statePath, "utf8");
    } catch {
      return;
    }
    try {
      const state = JSON.parse(text) as { nextId: number; entries: StoredEntry[] };
      for (const e of state.entries) this.addEntry(e);
      this.nextId = Math.max(state.nextId, ...state.entries.map((e) => e.id + 1), 1);
      this.log.info({ entries: state.entries.length }, "CA entries restored");
    } catch (e) {
      this.log.error({ err: (e as Error).message, path: this.statePath }, "ignoring an unreadable CA state file");
    }
  }
}
