/**
 * Rebuilds the files a trace carries in IBM file I/O (ReadFileByType answers and
 * WriteFileByType requests) per (type, handle), and writes them out: the CSR, signed
 * certificate and root as PEM, described the way `hostbridge cert show` describes them.
 * Works on the record stream: a file is handed out as soon as every byte of it was seen,
 * the rest at the end; memory is the files still in transfer.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { IBM_FILE_TYPE_NAMES, IbmFileType, PldmType } from "../../pldm-codec/pldm/names.js";
import { HexBytes } from "./hex.js";
import type { TraceRecord } from "./decoded-record.js";

export interface RebuiltFile {
  type: number;
  handle: number;
  /** Length from NewFileAvailable, when the trace has it. */
  announced: number | null;
  bytes: Uint8Array;
  /** Every byte up to the announced (or highest written) length was seen. */
  complete: boolean;
}

interface Building {
  type: number;
  handle: number;
  announced: number | null;
  data: Uint8Array;
  seen: Uint8Array;
  size: number;
}

const NEW_FILE = new Set(["NewFileAvailable", "NewFileAvailableWithMetaData"]);
/** ReadFileByType requests awaiting answers (an answer names its request by index), and completed files remembered. */
const MAX_OPEN_READS = 4096;

function store(f: Building, offset: number, chunk: Uint8Array): void {
  const end = offset + chunk.length;
  if (end > f.data.length) {
    const grown = new Uint8Array(Math.max(end, f.data.length * 2));
    grown.set(f.data);
    const seen = new Uint8Array(grown.length);
    seen.set(f.seen);
    f.data = grown;
    f.seen = seen;
  }
  f.data.set(chunk, offset);
  f.seen.fill(1, offset, end);
  f.size = Math.max(f.size, end);
}

function isComplete(f: Building): boolean {
  const size = Math.max(f.size, f.announced ?? 0);
  return size > 0 && f.seen.length >= size && f.seen.subarray(0, size).every((x) => x === 1);
}

const finished = (f: Building): RebuiltFile => ({
  type: f.type,
  handle: f.handle,
  announced: f.announced,
  bytes: f.data.slice(0, f.size),
  complete: isComplete(f),
});

/** The file bytes a record carries. */
const dataOf = (f: Record<string, unknown>) => (f.data instanceof HexBytes ? f.data.bytes : new Uint8Array(0));

export class FileRebuilder {
  private readonly open = new Map<string, Building>();
  /** Files handed out complete: later chunks for them (resends) do not start a new file. */
  private readonly done = new Set<string>();
  private readonly reads = new Map<number, Record<string, unknown>>();

  /** Takes the next record (in trace order, paired); returns the files it completed. */
  push(r: TraceRecord): RebuiltFile[] {
    const p = r.pldm;
    if (!p || p.type !== PldmType.Oem || !p.interpretation || !p.fields || r.error || r.truncated) return [];
    const fields = p.fields;
    let f: Building | undefined;
    if (p.request && NEW_FILE.has(p.commandName ?? "")) {
      return this.start(fields.fileType as number, fields.fileHandle as number, fields.length as number);
    } else if (p.request && p.commandName === "WriteFileByType") {
      f = this.fileFor(fields.fileType as number, fields.fileHandle as number);
      if (f) store(f, fields.offset as number, dataOf(fields));
    } else if (p.request && p.commandName === "ReadFileByType") {
      this.reads.set(r.index, fields);
      if (this.reads.size > MAX_OPEN_READS) this.reads.delete(this.reads.keys().next().value!);
    } else if (!p.request && p.commandName === "ReadFileByType" && p.completionCode === 0) {
      const q = r.exchange?.peer != null ? this.reads.get(r.exchange.peer) : undefined;
      if (!q) return []; // data without its request: offset and file unknown
      f = this.fileFor(q.fileType as number, q.fileHandle as number);
      if (f) store(f, q.offset as number, dataOf(fields));
    }
    if (!f || !isComplete(f)) return [];
    const key = `${f.type}/${f.handle}`;
    this.open.delete(key);
    this.done.add(key);
    // Only recent files see resends; the set stays small on a capture of a million transfers.
    if (this.done.size > MAX_OPEN_READS) this.done.delete(this.done.values().next().value!);
    return [finished(f)];
  }

  /** End of the trace: files still in transfer, as far as they got. */
  finish(): RebuiltFile[] {
    const out = [...this.open.values()].filter((f) => f.size > 0).map(finished);
    this.open.clear();
    return out;
  }

  /** A new announcement of the same (type, handle) starts a new file. */
  private start(type: number, handle: number, announced: number): RebuiltFile[] {
    const key = `${type}/${handle}`;
    const before = this.open.get(key);
    this.done.delete(key);
    this.open.set(key, { type, handle, announced, data: new Uint8Array(256), seen: new Uint8Array(256), size: 0 });
    return before && before.size > 0 ? [finished(before)] : [];
  }

  private fileFor(type: number, handle: number): Building | undefined {
    const key = `${type}/${handle}`;
    if (this.done.has(key)) return undefined;
    let f = this.open.get(key);
    if (!f) this.open.set(key, (f = { type, handle, announced: null, data: new Uint8Array(256), seen: new Uint8Array(256), size: 0 }));
    return f;
  }
}

/** Files in a whole trace held in memory, in the order their transfers ended. */
export function rebuildFiles(records: readonly TraceRecord[]): RebuiltFile[] {
  const r = new FileRebuilder();
  return [...records.flatMap((x) => r.push(x)), ...r.finish()];
}

const PEM_KIND: Record<number, { stem: string; label: string }> = {
  [IbmFileType.CertSigningRequest]: { stem: "csr", label: "CERTIFICATE REQUEST" },
  [IbmFileType.SignedCert]: { stem: "cert", label: "CERTIFICATE" },
  [IbmFileType.RootCert]: { stem: "root", label: "CERTIFICATE" },
};

// x509 loads only when a certificate is written, not for every decode.
const x509 = () => import("../x509/checks.js");

/** PEM text for certificate files (DER is wrapped), null for anything else. */
async function asPem(f: RebuiltFile): Promise<string | null> {
  const kind = PEM_KIND[f.type];
  if (!kind) return null;
  const text = new TextDecoder().decode(f.bytes).replace(/\0+$/, "");
  if (text.includes("-----BEGIN")) return text.endsWith("\n") ? text : `${text}\n`;
  return f.bytes[0] === 0x30 ? (await x509()).encodePem(kind.label, f.bytes) : null;
}

async function describe(f: RebuiltFile, pem: string): Promise<string> {
  const { describeCertificate, describeCsr } = await x509();
  try {
    if (f.type === IbmFileType.CertSigningRequest) {
      const d = await describeCsr(pem);
      return `CSR subject "${d.subject}", ${d.keyKind}, signature ${d.signatureValid ? "valid" : "INVALID"}, sha256 ${d.sha256Fingerprint}`;
    }
    const d = await describeCertificate(pem);
    const days = (x: Date) => x.toISOString().replace(/\.\d+Z$/, "Z");
    return `certificate subject "${d.subject}", issuer "${d.issuer}", valid ${days(d.notBefore)} to ${days(d.notAfter)}, sha256 ${d.sha256Fingerprint}`;
  } catch (e) {
    return `not readable as ${f.type === IbmFileType.CertSigningRequest ? "a CSR" : "a certificate"}: ${(e as Error).message}`;
  }
}

export interface WrittenFile {
  path: string;
  file: RebuiltFile;
  /** One line for the text output: what the file is. */
  description: string;
}

/** Writes files into one directory as they come, numbering repeats of a name. */
export class RebuiltFileWriter {
  private readonly used = new Map<string, number>();
  private made = false;

  constructor(private readonly dir: string) {}

  async write(f: RebuiltFile): Promise<WrittenFile> {
    if (!this.made) await fs.mkdir(this.dir, { recursive: true });
    this.made = true;
    const pem = await asPem(f);
    const stem = PEM_KIND[f.type]?.stem ?? (IBM_FILE_TYPE_NAMES[f.type] ?? `type${f.type}`).toLowerCase().replace(/_/g, "-");
    const base = `${stem}-${f.handle}`;
    const n = (this.used.get(base) ?? 0) + 1;
    this.used.set(base, n);
    const path = join(this.dir, `${base}${n > 1 ? `-${n}` : ""}${pem ? ".pem" : ".bin"}`);
    await fs.writeFile(path, pem ?? f.bytes);
    const state = f.complete ? `${f.bytes.length} bytes` : `INCOMPLETE ${f.bytes.length} of ${f.announced ?? "?"} bytes`;
    const what = pem ? await describe(f, pem) : `${IBM_FILE_TYPE_NAMES[f.type] ?? `type ${f.type}`} data`;
    return { path, file: f, description: `${path}: ${state}; ${what}` };
  }
}

export async function writeRebuiltFiles(files: readonly RebuiltFile[], dir: string): Promise<WrittenFile[]> {
  const w = new RebuiltFileWriter(dir);
  const out: WrittenFile[] = [];
  for (const f of files) out.push(await w.write(f));
  return out;
}
