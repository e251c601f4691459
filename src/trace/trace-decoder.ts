/**
 * Any supported trace to records, as a stream: each input's format is detected from its
 * first bytes (or lines), its parser turns chunks into events, and one builder turns every
 * event into TraceRecords through one reassembly and one PLDM decoder, so every format
 * yields the same messages. Nothing here holds more than a chunk and the open exchanges.
 */
import { isAscii } from "node:buffer";
import { concatBytes } from "../../pldm-codec/wire/bytes.js";
import { CaptureReader, isCapture } from "./capture-reader.js";
import { ExchangeTracker, type ExchangeSummary } from "./exchanges.js";
import { parseHex } from "./hex.js";
import { hexLineEvents, type HexLineKind } from "./hex-lines.js";
import { MctpPacketTraceDecoder } from "./mctp-trace-decoder.js";
import { looksLikePldmtoolLog, PldmtoolLogParser } from "./pldmtool-log.js";
import { SerialTraceDecoder } from "./serial-trace-decoder.js";
import type { EventSink, InputFormat, TraceEvent } from "./trace-event.js";
import { errorRecord, recordFromPldm, type TraceRecord } from "./decoded-record.js";

export type ResolvedFormat = Exclude<InputFormat, "auto"> | "hex";

const SAMPLE_BYTES = 64 * 1024;
const SAMPLE_LINES = 200;
const HEX_KIND: Partial<Record<ResolvedFormat, HexLineKind | null>> = { "pldm-hex": "pldm", "mctp-hex": "mctp", "serial-hex": "serial", hex: null };

/** Text is what people paste (UTF-8 prose included); control bytes other than tab, CR, LF and ESC mean a raw capture. */
function isText(b: Uint8Array): boolean {
  const n = Math.min(b.length, SAMPLE_BYTES);
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x1b) return false;
  }
  try {
    // Streaming mode: a character cut at the end of the sample is not an error.
    new TextDecoder("utf-8", { fatal: true }).decode(b.subarray(0, n), { stream: true });
    return true;
  } catch {
    return false;
  }
}

const meaningful = (line: string) => {
  const t = line.trim();
  return t !== "" && !t.startsWith("#");
};

/**
 * The format of a text input from its first lines: a log marker anywhere in them makes it a
 * log; else a first line of hex makes it hex lines; else it is a log that has not shown PLDM
 * yet (prose is skipped there, never an error).
 */
function textFormat(lines: readonly string[]): ResolvedFormat {
  if (lines.some(looksLikePldmtoolLog)) return "pldmtool";
  const first = lines.find(meaningful)?.trim() ?? "";
  if (!isHexLine(first)) return lines.some(meaningful) ? "pldmtool" : "hex";
  return first.replace(/^0x/i, "").toLowerCase().startsWith("7e") ? "serial-hex" : "hex";
}

function isHexLine(line: string): boolean {
  try {
    return parseHex(line).length > 0;
  } catch {
    return false;
  }
}

/** Detects the format of one whole input held in memory. */
export function detectInput(b: Uint8Array): ResolvedFormat {
  if (isCapture(b)) return "pcap";
  if (!isText(b)) return "serial";
  const lines = new TextDecoder().decode(b.subarray(0, SAMPLE_BYTES)).split("\n").filter(meaningful).slice(0, SAMPLE_LINES);
  return textFormat(lines);
}

/** One input (a file or standard input), chunk by chunk, to events. */
export class InputParser {
  format: ResolvedFormat | null;
  private readonly capture = new CaptureReader();
  private readonly log = new PldmtoolLogParser();
  private readonly hexState = { previous: null as HexLineKind | null };
  private readonly text = new TextDecoder();
  private utf8 = false;
  private partial = "";
  /** Lines seen while a text format is still undecided. */
  private sample: string[] | null = null;
  private sampleBytes = 0;
  private head: Uint8Array | null = null;

  constructor(input: InputFormat) {
    this.format = input === "auto" ? null : input;
  }

  get skippedLines(): number {
    return this.log.skipped;
  }

  push(chunk: Uint8Array, out: EventSink): void {
    if (this.format === null && this.sample === null) {
      // Binary or text is decided on the first bytes (a pcap magic needs four).
      const b = this.head ? concatBytes([this.head, chunk]) : chunk;
      if (b.length < 4) return void (this.head = b);
      this.head = null;
      if (isCapture(b)) this.format = "pcap";
      else if (!isText(b)) this.format = "serial";
      else this.sample = [];
      chunk = b;
    }
    if (this.format === "pcap") return this.capture.push(chunk, out);
    if (this.format === "serial") return void out.push({ kind: "serial", bytes: chunk, dir: null, time: null });
    // ASCII (nearly every log) is copied straight to a string; the UTF-8 decoder takes over for good
    // at the first other byte, so a character split across chunks is never cut.
    if (!this.utf8 && isAscii(chunk)) return this.textChunk(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1"), out);
    this.utf8 = true;
    this.textChunk(this.text.decode(chunk, { stream: true }), out);
  }

  finish(out: EventSink): void {
    if (this.head) {
      const b = this.head;
      this.head = null;
      this.format = isCapture(b) ? "pcap" : isText(b) ? null : "serial";
      if (this.format === null) this.sample = [];
      this.push(b, out);
    }
    if (this.format === "pcap") return this.capture.finish(out);
    if (this.format === "serial") return;
    this.textChunk(this.text.decode(), out);
    if (this.partial) this.line(this.partial, out);
    this.partial = "";
    this.decide(out);
    if (this.format === "pldmtool") this.log.finish(out);
  }

  /** The input went quiet: decide the format on what came, and let held messages out. */
  flush(out: EventSink): void {
    if (this.sample) this.decide(out);
    if (this.format === "pldmtool") this.log.flush(out);
  }

  private textChunk(s: string, out: EventSink): void {
    let start = 0;
    // The line split across chunks is joined on its own: the chunk stays one flat string
    // (searching and slicing a chunk joined to the piece before it was twice as slow).
    if (this.partial) {
      const end = s.indexOf("\n");
      if (end < 0) return void (this.partial += s);
      const line = this.partial + s.slice(0, end);
      this.partial = "";
      this.line(line, out);
      start = end + 1;
    }
    for (;;) {
      const end = s.indexOf("\n", start);
      if (end < 0) break;
      this.line(s.slice(start, end), out);
      start = end + 1;
    }
    if (start < s.length) this.partial = s.slice(start);
  }

  private line(line: string, out: EventSink): void {
    const sample = this.sample;
    if (sample) {
      sample.push(line);
      this.sampleBytes += line.length;
      if (looksLikePldmtoolLog(line) || sample.filter(meaningful).length >= SAMPLE_LINES || this.sampleBytes >= SAMPLE_BYTES) this.decide(out);
      return;
    }
    if (this.format === "pldmtool") return this.log.line(line, out);
    const kind = HEX_KIND[this.format!] ?? null;
    for (const ev of hexLineEvents(line, kind, this.hexState)) out.push(ev);
  }

  private decide(out: EventSink): void {
    const sample = this.sample;
    if (!sample) return;
    this.sample = null;
    this.format = textFormat(sample.filter(meaningful).slice(0, SAMPLE_LINES));
    for (const line of sample) this.line(line, out);
  }
}

/** Events in, records out; one instance across all inputs so records are numbered across them. */
export class TraceRecordBuilder {
  private readonly packets = new MctpPacketTraceDecoder();
  private readonly serial = new Map<string, SerialTraceDecoder>();
  private index = 0;

  push(ev: TraceEvent, out: TraceRecord[]): void {
    if (ev.kind === "pldm") {
      const meta = {
        dir: ev.dir,
        time: ev.time,
        ms: ev.ms ?? null,
        src: ev.src ?? null,
        dest: ev.dest ?? null,
        tag: null,
        tagOwner: null,
        truncated: ev.truncated ?? false,
      };
      const r = recordFromPldm(ev.bytes, meta);
      r.index = this.index++;
      return void out.push(r);
    }
    switch (ev.kind) {
      case "mctp-packet":
        // The event is the packet's meta: no object of its own for every packet.
        return this.numbered(this.packets.push(ev.bytes, ev), out);
      case "serial":
        return this.numbered(this.serialFor(ev.dir).push(ev.bytes, ev), out);
      case "error":
        return this.numbered([errorRecord(ev.raw, ev.reason, { dir: ev.dir, time: ev.time, ms: ev.ms ?? null })], out);
    }
  }

  /** End of one input: bytes left inside a frame or a message are reported. */
  finish(out: TraceRecord[]): void {
    for (const s of this.serial.values()) this.numbered(s.finish(), out);
    this.serial.clear();
    this.numbered(this.packets.finish(), out);
  }

  /** Each direction of a serial line is its own byte stream; packets meet in one reassembly. */
  private serialFor(dir: string | null): SerialTraceDecoder {
    const key = dir ?? "";
    let s = this.serial.get(key);
    if (!s) this.serial.set(key, (s = new SerialTraceDecoder({ packets: this.packets })));
    return s;
  }

  private numbered(records: readonly TraceRecord[], out: TraceRecord[]): void {
    for (const r of records) {
      r.index = this.index++;
      out.push(r);
    }
  }
}

/**
 * A whole decode: inputs one after another, chunk by chunk, each call returning the records
 * whose exchanges have settled (in trace order, paired).
 */
export class DecodeSession {
  readonly formats: ResolvedFormat[] = [];
  private readonly builder = new TraceRecordBuilder();
  private readonly tracker: ExchangeTracker;
  private parser: InputParser | null = null;
  private skipped = 0;
  private readonly built: TraceRecord[] = [];
  /** Each event becomes records as it comes: a chunk's events (a packet each, in a capture) are never all held. */
  private readonly events: EventSink = { push: (ev) => this.builder.push(ev, this.built) };

  constructor(
    private readonly input: InputFormat = "auto",
    responseTimeoutMs?: number,
  ) {
    this.tracker = new ExchangeTracker({ responseTimeoutMs });
  }

  push(chunk: Uint8Array, out: TraceRecord[]): void {
    this.parser ??= new InputParser(this.input);
    this.parser.push(chunk, this.events);
    this.drain(out);
  }

  /** End of the current input. */
  endInput(out: TraceRecord[]): void {
    const p = (this.parser ??= new InputParser(this.input));
    p.finish(this.events);
    this.formats.push(p.format ?? "hex");
    this.skipped += p.skippedLines;
    this.parser = null;
    this.drain(out);
    this.builder.finish(this.built);
    this.drain(out);
  }

  /** The input paused: lines held for a possible continuation are decoded now. */
  flushInput(out: TraceRecord[]): void {
    this.parser?.flush(this.events);
    this.drain(out);
  }

  /** The input went quiet for a response time-out (a live log): everything held goes out now. */
  flush(out: TraceRecord[]): void {
    this.flushInput(out);
    this.tracker.flush(out);
  }

  finish(out: TraceRecord[]): ExchangeSummary {
    if (this.parser) this.endInput(out);
    const summary = this.tracker.finish(out);
    summary.skippedLines = this.skipped;
    return summary;
  }

  private drain(out: TraceRecord[]): void {
    for (const r of this.built) this.tracker.push(r, out);
    this.built.length = 0;
  }
}

export interface DecodedInputs {
  records: TraceRecord[];
  formats: ResolvedFormat[];
  summary: ExchangeSummary;
}

/** Decodes several traces held in memory as one (records numbered across them) and pairs their exchanges. */
export function decodeInputs(inputs: readonly Uint8Array[], input: InputFormat = "auto", responseTimeoutMs?: number): DecodedInputs {
  const session = new DecodeSession(input, responseTimeoutMs);
  const records: TraceRecord[] = [];
  for (const b of inputs) {
    session.push(b, records);
    session.endInput(records);
  }
  const summary = session.finish(records);
  return { records, formats: session.formats, summary };
}
