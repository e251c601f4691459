/**
 * The CA manager's state on disk: `<file>` holds the entries, `<file>.next-id` the next
 * entry id alone. Both are written aside, fsynced, renamed in and the directory fsynced, so
 * a crash leaves the old file or the new, whole. A file that still cannot be read (damage
 * from outside) is moved aside as `<file>.corrupt-<time>`, never dropped, and entry ids
 * continue beyond anything either file shows; with no readable counter either, beyond a
 * time-based floor, so an id is never handed out twice.
 */
import { readFileSync } from "node:fs";
import { renameDurablySync, writeFileAtomicSync } from "../os/files.js";
import { EntryState, type EntryStateValue } from "./names.js";

export interface StoredEntry {
  id: number;
  csr: string;
  clientCertificate: string;
  status: EntryStateValue;
  /** ms since the epoch; when SignCSR made it, and when its Status left Pending. */
  createdAt: number;
  settledAt: number | null;
}

export interface LoadedState {
  entries: StoredEntry[];
  nextId: number;
  /** What went wrong, for the log and the manager's StateProblem property; "" when all was well. */
  problem: string;
}

const MAX_ID = 0xffffffff;
const STATES = new Set<string>(Object.values(EntryState));
/** Seconds since this moment floor the ids after a total loss: below 2^32 until the 2150s. */
const FLOOR_EPOCH_S = 1_700_000_000;

export class CaStateFile {
  constructor(readonly path: string) {}

  get counterPath(): string {
    return `${this.path}.next-id`;
  }

  load(now = Date.now()): LoadedState {
    const counter = readCounter(this.counterPath);
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], nextId: Math.max(1, counter ?? 1), problem: "" };
      text = "";
    }
    try {
      const state = parseState(text);
      const nextId = Math.max(1, state.nextId, counter ?? 1, ...state.entries.map((e) => e.id + 1));
      return { entries: state.entries, nextId, problem: "" };
    } catch (e) {
      const aside = `${this.path}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, "-")}`;
      renameDurablySync(this.path, aside);
      const seen = [...text.matchAll(/"(?:id|nextId)"\s*:\s*(\d{1,10})/g)].map((m) => Number(m[1]) + 1);
      const floor = counter === null ? Math.floor(now / 1000) - FLOOR_EPOCH_S : 1;
      const nextId = Math.min(MAX_ID, Math.max(1, counter ?? 1, floor, ...seen));
      return {
        entries: [],
        nextId,
        problem: `unreadable state file (${(e as Error).message}) moved to ${aside}; its entries are lost; ids continue from ${nextId}`,
      };
    }
  }

  /** Writes both files durably, the counter first (it must never fall behind the entries). */
  save(entries: StoredEntry[], nextId: number): void {
    writeFileAtomicSync(this.counterPath, `${nextId}\n`, 0o600);
    writeFileAtomicSync(this.path, JSON.stringify({ nextId, entries }), 0o600);
  }
}

function readCounter(path: string): number | null {
  try {
    const n = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(n) && n >= 1 && n <= MAX_ID ? n : null;
  } catch {
    return null;
  }
}

function parseState(text: string): { nextId: number; entries: StoredEntry[] } {
  const raw = JSON.parse(text) as { nextId?: unknown; entries?: unknown };
  if (typeof raw !== "object" || raw === null || !Number.isInteger(raw.nextId) || !Array.isArray(raw.entries)) throw new Error("not a CA state object");
  const entries = raw.entries.map((e: Partial<StoredEntry>, i) => {
    const ok =
      Number.isInteger(e.id) &&
      e.id! >= 1 &&
      e.id! <= MAX_ID &&
      typeof e.csr === "string" &&
      typeof e.clientCertificate === "string" &&
      STATES.has(String(e.status));
    if (!ok) throw new Error(`entry ${i} is malformed`);
    // Files from before the time stamps count from now.
    return {
      ...(e as StoredEntry),
      createdAt: Number.isFinite(e.createdAt) ? e.createdAt! : Date.now(),
      settledAt: Number.isFinite(e.settledAt) ? e.settledAt! : null,
    };
  });
  return { nextId: raw.nextId as number, entries };
}
