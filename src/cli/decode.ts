/**
 * `hostbridge decode`: PLDM/MCTP traces in (any format the field has), one record per message
 * out, as a stream: records are printed as their exchanges complete (`journalctl -f | hostbridge
 * decode -` works), files are extracted as they complete, and memory stays bounded whatever
 * the size of the input.
 */
import { createReadStream } from "node:fs";
import type { Command } from "commander";
import { Option } from "commander";
import { formatSummary } from "../trace/exchanges.js";
import { FileRebuilder, RebuiltFileWriter, type RebuiltFile } from "../trace/extract-files.js";
import { MermaidWriter } from "../trace/format-mermaid.js";
import { formatRecord } from "../trace/format-text.js";
import { PcapngWriter } from "../trace/records-to-pcapng.js";
import { DecodeSession } from "../trace/trace-decoder.js";
import { INPUT_FORMATS, type InputFormat } from "../trace/trace-event.js";
import { recordToJson, type TraceRecord } from "../trace/decoded-record.js";
import { intOption } from "./options.js";

export { decodeInputs, type DecodedInputs } from "../trace/trace-decoder.js";

export const DECODE_OUTPUTS = ["text", "json", "pcap", "mermaid"] as const;

interface DecodeOptions {
  input: InputFormat;
  output: (typeof DECODE_OUTPUTS)[number];
  strict: boolean;
  summary: boolean;
  /** With --summary: print the records too. */
  records: boolean;
  extract?: string;
  responseTimeout: number;
}

/** A pause this long in a live input lets out lines held for a possible continuation. */
const LINE_IDLE_MS = 100;

/** A reader that went away (`| head`) is a normal end, not an error. */
function exitQuietlyOnEpipe(e: unknown): never {
  if ((e as NodeJS.ErrnoException).code === "EPIPE") process.exit(0);
  throw e;
}

const write = (s: string | Uint8Array) =>
  new Promise<void>((resolve, reject) => process.stdout.write(s, (e) => (e ? reject(e) : resolve()))).catch(exitQuietlyOnEpipe);

/** Renders records in the chosen output, a write per input chunk, and rebuilds files as they complete. */
class DecodeOutput {
  /** What one input chunk (or a pause) let out: written in one piece. */
  private pending: (string | Uint8Array)[] = [];
  private readonly mermaid = new MermaidWriter();
  private readonly pcap = new PcapngWriter();
  private readonly files: FileRebuilder | null;
  private readonly fileWriter: RebuiltFileWriter | null;
  /** One thing at a time: records from a timer and from the input must not interleave. */
  private chain = Promise.resolve();

  /** --summary alone asks for the summary, not every record (pcap and mermaid are written whole). */
  private readonly quiet: boolean;

  constructor(private readonly opts: DecodeOptions) {
    this.quiet = opts.summary && !opts.records && (opts.output === "text" || opts.output === "json");
    this.files = opts.extract ? new FileRebuilder() : null;
    this.fileWriter = opts.extract ? new RebuiltFileWriter(opts.extract) : null;
  }

  /** Takes the records (and empties the array); resolves once they are written. */
  records(records: TraceRecord[]): Promise<void> {
    const color = this.opts.output === "text" && process.stdout.isTTY === true && !process.env.NO_COLOR;
    const completed: RebuiltFile[] = [];
    for (const r of records) {
      const o = this.opts.output;
      if (!this.quiet)
        this.add(
          o === "json" ? `${recordToJson(r)}\n` : o === "text" ? `${formatRecord(r, color)}\n` : o === "pcap" ? this.pcap.record(r) : this.mermaid.record(r),
        );
      if (this.files) for (const f of this.files.push(r)) completed.push(f);
    }
    records.length = 0;
    return this.then(async () => {
      await this.flush();
      for (const f of completed) await this.note(`extracted ${(await this.fileWriter!.write(f)).description}`);
    });
  }

  /** End: the diagram or capture is closed, the files still in transfer written, the summary printed. */
  end(summaryText: string | null): Promise<void> {
    this.add(this.opts.output === "pcap" ? this.pcap.end() : this.opts.output === "mermaid" ? this.mermaid.end() : "");
    return this.then(async () => {
      await this.flush();
      for (const f of this.files?.finish() ?? []) await this.note(`extracted ${(await this.fileWriter!.write(f)).description}`);
      if (summaryText) await this.note(summaryText);
    });
  }

  then(step: () => Promise<void>): Promise<void> {
    return (this.chain = this.chain.then(step));
  }

  private add(x: string | Uint8Array): void {
    if (x.length === 0) return;
    this.pending.push(x);
  }

  private async flush(): Promise<void> {
    if (!this.pending.length) return;
    const parts = this.pending;
    this.pending = [];
    await write(typeof parts[0] === "string" ? parts.join("") : Buffer.concat(parts as Uint8Array[]));
  }

  /** Notes go where they do not corrupt binary, diagram or JSON-lines output. */
  private async note(text: string): Promise<void> {
    if (this.opts.output === "text") await write(`${text}\n`);
    else process.stderr.write(`${text}\n`);
  }
}

async function decodeStream(session: DecodeSession, output: DecodeOutput, file: string, responseTimeout: number): Promise<void> {
  const live = file === "-";
  const stream = live ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
  const records: TraceRecord[] = [];
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for (;;) {
    // A live input that pauses lets out what is held: lines at once, open exchanges after a time-out.
    const timers = live
      ? [
          setTimeout(() => void output.then(async () => session.flushInput(records)).then(() => output.records(records)), LINE_IDLE_MS),
          setTimeout(() => void output.then(async () => session.flush(records)).then(() => output.records(records)), responseTimeout),
        ]
      : [];
    const next = await chunks.next();
    for (const t of timers) clearTimeout(t);
    if (next.done) break;
    await output.then(async () => session.push(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength), records));
    await output.records(records);
  }
  await output.then(async () => session.endInput(records));
  await output.records(records);
}

export function registerDecode(program: Command): void {
  program
    .command("decode")
    .description("decode PLDM / MCTP traces (pldmd and pldmtool logs, hex, serial captures, pcap/pcapng) into one record per message")
    .argument("[files...]", "input files (default: standard input)")
    .addOption(new Option("-i, --input <format>", "what the input is").choices(INPUT_FORMATS).default("auto"))
    .addOption(new Option("-o, --output <format>", "what to print (pcap: pcapng to standard output)").choices(DECODE_OUTPUTS).default("text"))
    .option("--summary", "print only the summary: requests and responses paired, latency, retries, time-outs and error codes", false)
    .option("--records", "with --summary, print every record too", false)
    .option("--extract <dir>", "rebuild the files carried by Read/WriteFileByType into this directory")
    .option("--response-timeout <ms>", "answers later than this count as late in the summary", intOption(1, 600_000), 2000)
    .option("--strict", "exit 1 when any input could not be decoded", false)
    .action(async (files: string[], opts: DecodeOptions) => {
      if (opts.output === "pcap" && process.stdout.isTTY) throw new Error("--output pcap writes binary: redirect it to a file");
      process.stdout.on("error", exitQuietlyOnEpipe);
      const session = new DecodeSession(opts.input, opts.responseTimeout);
      const output = new DecodeOutput(opts);
      for (const file of files.length ? files : ["-"]) await decodeStream(session, output, file, opts.responseTimeout);
      const records: TraceRecord[] = [];
      const summary = session.finish(records);
      await output.records(records);
      const summaryText = opts.summary ? (opts.output === "json" ? JSON.stringify({ summary }) : formatSummary(summary)) : null;
      // JSON lines end with the summary object on standard output, as before.
      await output.end(opts.output === "json" && summaryText ? null : summaryText);
      if (opts.output === "json" && summaryText) await write(`${summaryText}\n`);
      if (opts.strict && summary.decodeErrors > 0) {
        process.stderr.write(`decode: ${summary.decodeErrors} record(s) had errors\n`);
        process.exitCode = 1;
      }
    });
}
