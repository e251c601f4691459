/**
 * Any supported trace to records: detects the input format, runs its parser, then turns
 * every event into TraceRecords through one reassembly and one PLDM decoder, so every
 * format yields the same messages.
 */
import { readCapture, isCapture, type CaptureStats } from "./capture-reader.js";
import { hexLineEvents, type HexLineKind } from "./hex-lines.js";
import { MctpPacketTraceDecoder } from "./mctp-trace-decoder.js";
import { looksLikePldmtoolLog, PldmtoolLogParser } from "./pldmtool-log.js";
import { SerialTraceDecoder } from "./serial-trace-decoder.js";
import type { InputFormat, TraceEvent } from "./trace-event.js";
import { errorRecord, recordFromPldm, type TraceRecord } from "./trace-record.js";

export type ResolvedFormat = Exclude<InputFormat, "auto"> | "hex";

const SAMPLE_BYTES = 64 * 1024;
const SAMPLE_LINES = 200;

/** Text is what people paste; anything with control bytes (but tab, CR, LF) or high bytes is a raw capture. */
function isText(b: Uint8Array): boolean {
  const n = Math.min(b.length, SAMPLE_BYTES);
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c > 0x7e) return false;
  }
  return true;
}

export function detectInput(b: Uint8Array): ResolvedFormat {
  if (isCapture(b)) return "pcap";
  if (!isText(b)) return "serial";
  const text = new TextDecoder().decode(b.subarray(0, SAMPLE_BYTES));
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).slice(0, SAMPLE_LINES);
  if (lines.some(looksLikePldmtoolLog)) return "pldmtool";
  return lines[0]?.replace(/^0x/i, "").toLowerCase().startsWith("7e") ? "serial-hex" : "hex";
}

const HEX_KIND: Partial<Record<ResolvedFormat, HexLineKind | null>> = { "pldm-hex": "pldm", "mctp-hex": "mctp", "serial-hex": "serial", hex: null };

function* textLines(b: Uint8Array): Generator<string> {
  const text = new TextDecoder().decode(b);
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    yield text.slice(start, end);
    start = end + 1;
  }
}

export function* traceEvents(b: Uint8Array, format: ResolvedFormat, captureStats?: CaptureStats): Generator<TraceEvent> {
  if (format === "pcap") return yield* readCapture(b, captureStats);
  if (format === "serial") return yield { kind: "serial", bytes: b, dir: null, time: null };
  if (format === "pldmtool") {
    const parser = new PldmtoolLogParser();
    for (const line of textLines(b)) yield* parser.line(line);
    return yield* parser.finish();
  }
  const kind = HEX_KIND[format] ?? null;
  const state = { previous: null as HexLineKind | null };
  for (const line of textLines(b)) yield* hexLineEvents(line, kind, state);
}

/** Events in, records out; one instance per trace so reassembly spans the whole of it. */
export class TraceRecordBuilder {
  private readonly packets = new MctpPacketTraceDecoder();
  private readonly serial = new Map<string, SerialTraceDecoder>();
  private index = 0;

  push(ev: TraceEvent): TraceRecord[] {
    const meta = { dir: ev.dir, time: ev.time };
    let out: TraceRecord[];
    switch (ev.kind) {
      case "pldm":
        out = [recordFromPldm(0, ev.bytes, { ...meta, src: ev.src ?? null, dest: ev.dest ?? null, tag: null, tagOwner: null })];
        break;
      case "mctp-packet":
        out = this.packets.push(ev.bytes, meta);
        break;
      case "serial":
        out = this.serialFor(ev.dir).push(ev.bytes, meta);
        break;
      case "error":
        out = [errorRecord(0, ev.raw, ev.reason, meta)];
        break;
    }
    return this.numbered(out);
  }

  finish(): TraceRecord[] {
    const out = [...this.serial.values()].flatMap((s) => s.finish());
    return this.numbered([...out, ...this.packets.finish()]);
  }

  /** Each direction of a serial line is its own byte stream; packets meet in one reassembly. */
  private serialFor(dir: string | null): SerialTraceDecoder {
    const key = dir ?? "";
    let s = this.serial.get(key);
    if (!s) this.serial.set(key, (s = new SerialTraceDecoder({ packets: this.packets })));
    return s;
  }

  private numbered(records: TraceRecord[]): TraceRecord[] {
    for (const r of records) r.index = this.index++;
    return records;
  }
}

export interface DecodedTrace {
  format: ResolvedFormat;
  records: TraceRecord[];
  capture: CaptureStats;
}

/** Decodes a whole trace held in memory. */
export function decodeTrace(b: Uint8Array, input: InputFormat = "auto", builder = new TraceRecordBuilder()): DecodedTrace {
  const format = input === "auto" ? detectInput(b) : input;
  const capture: CaptureStats = { packets: 0, skipped: 0 };
  const records: TraceRecord[] = [];
  for (const ev of traceEvents(b, format, capture)) for (const r of builder.push(ev)) records.push(r);
  for (const r of builder.finish()) records.push(r);
  return { format, records, capture };
}
