/**
 * Rebuilds the files a trace carries in IBM file I/O (ReadFileByType answers and
 * WriteFileByType requests) per (type, handle), and writes them out: the CSR, signed
 * certificate and root as PEM, described the way `hostbridge cert show` describes them.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { IBM_FILE_TYPE_NAMES, IbmFileType, PldmType } from "../../pldm-codec/pldm/names.js";
import { describeCertificate, describeCsr, encodePem } from "../x509/index.js";
import type { TraceRecord } from "./trace-record.js";

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

const fromHex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
const NEW_FILE = new Set(["NewFileAvailable", "NewFileAvailableWithMetaData"]);

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

function finished(f: Building): RebuiltFile {
  const size = Math.max(f.size, f.announced ?? 0);
  const complete = size > 0 && f.seen.subarray(0, size).every((x) => x === 1) && f.seen.length >= size;
  return { type: f.type, handle: f.handle, announced: f.announced, bytes: f.data.slice(0, f.size), complete };
}

/** Files in the order their transfers began. A new announcement of the same (type, handle) starts a new file. */
export function rebuildFiles(records: readonly TraceRecord[]): RebuiltFile[] {
  const byIndex = new Map(records.map((r) => [r.index, r]));
  const open = new Map<string, Building>();
  const done: Building[] = [];
  const fileFor = (type: number, handle: number, restart: boolean, announced: number | null) => {
    const key = `${type}/${handle}`;
    let f = open.get(key);
    if (f && restart && f.size > 0) f = undefined;
    if (!f) {
      f = { type, handle, announced, data: new Uint8Array(256), seen: new Uint8Array(256), size: 0 };
      open.set(key, f);
      done.push(f);
    } else if (announced !== null) f.announced = announced;
    return f;
  };

  for (const r of records) {
    const p = r.pldm;
    if (!p || p.type !== PldmType.Oem || !p.fields || r.error) continue;
    const fields = p.fields;
    if (p.request && NEW_FILE.has(p.commandName ?? "")) {
      fileFor(fields.fileType as number, fields.fileHandle as number, true, fields.length as number);
    } else if (p.request && p.commandName === "WriteFileByType") {
      const f = fileFor(fields.fileType as number, fields.fileHandle as number, false, null);
      store(f, fields.offset as number, fromHex(fields.data as string));
    } else if (!p.request && p.commandName === "ReadFileByType" && p.completionCode === 0) {
      const req = r.exchange?.peer != null ? byIndex.get(r.exchange.peer) : undefined;
      const q = req?.pldm?.fields;
      if (!q) continue; // data without its request: offset and file unknown
      const f = fileFor(q.fileType as number, q.fileHandle as number, false, null);
      store(f, q.offset as number, fromHex(fields.data as string));
    }
  }
  return done.filter((f) => f.size > 0).map(finished);
}

const PEM_KIND: Record<number, { stem: string; label: string }> = {
  [IbmFileType.CertSigningRequest]: { stem: "csr", label: "CERTIFICATE REQUEST" },
  [IbmFileType.SignedCert]: { stem: "cert", label: "CERTIFICATE" },
  [IbmFileType.RootCert]: { stem: "root", label: "CERTIFICATE" },
};

/** PEM text for certificate files (DER is wrapped), null for anything else. */
function asPem(f: RebuiltFile): string | null {
  const kind = PEM_KIND[f.type];
  if (!kind) return null;
  const text = new TextDecoder().decode(f.bytes).replace(/\0+$/, "");
  if (text.includes("-----BEGIN")) return text.endsWith("\n") ? text : `${text}\n`;
  return f.bytes[0] === 0x30 ? encodePem(kind.label, f.bytes) : null;
}

async function describe(f: RebuiltFile, pem: string): Promise<string> {
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

export async function writeRebuiltFiles(files: readonly RebuiltFile[], dir: string): Promise<WrittenFile[]> {
  await fs.mkdir(dir, { recursive: true });
  const used = new Map<string, number>();
  const out: WrittenFile[] = [];
  for (const f of files) {
    const pem = asPem(f);
    const stem = PEM_KIND[f.type]?.stem ?? (IBM_FILE_TYPE_NAMES[f.type] ?? `type${f.type}`).toLowerCase().replace(/_/g, "-");
    const base = `${stem}-${f.handle}`;
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    const path = join(dir, `${base}${n > 1 ? `-${n}` : ""}${pem ? ".pem" : ".bin"}`);
    await fs.writeFile(path, pem ?? f.bytes);
    const state = f.complete ? `${f.bytes.length} bytes` : `INCOMPLETE ${f.bytes.length} of ${f.announced ?? "?"} bytes`;
    const what = pem ? await describe(f, pem) : `${IBM_FILE_TYPE_NAMES[f.type] ?? `type ${f.type}`} data`;
    out.push({ path, file: f, description: `${path}: ${state}; ${what}` });
  }
  return out;
}
