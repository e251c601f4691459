/** `hostbridge decode`: PLDM/MCTP traces in (any format the field has), one record per message out. */
import { promises as fs } from "node:fs";
import type { Command } from "commander";
import { Option } from "commander";
import { formatSummary, pairExchanges, type ExchangeSummary } from "../trace/exchanges.js";
import { rebuildFiles, writeRebuiltFiles } from "../trace/extract-files.js";
import { formatMermaid } from "../trace/format-mermaid.js";
import { formatRecord } from "../trace/format-text.js";
import { recordsToPcapng } from "../trace/records-to-pcapng.js";
import { INPUT_FORMATS, type InputFormat } from "../trace/trace-event.js";
import { decodeTrace, TraceRecordBuilder, type ResolvedFormat } from "../trace/trace-decoder.js";
import type { TraceRecord } from "../trace/trace-record.js";
import { intOption } from "./options.js";

export const DECODE_OUTPUTS = ["text", "json", "pcap", "mermaid"] as const;

interface DecodeOptions {
  input: InputFormat;
  output: (typeof DECODE_OUTPUTS)[number];
  strict: boolean;
  summary: boolean;
  extract?: string;
  responseTimeout: number;
}

export interface DecodedInputs {
  records: TraceRecord[];
  formats: ResolvedFormat[];
  summary: ExchangeSummary;
}

/** Decodes several traces as one (records numbered across them) and pairs their exchanges. */
export function decodeInputs(inputs: readonly Uint8Array[], input: InputFormat = "auto", responseTimeoutMs?: number): DecodedInputs {
  const builder = new TraceRecordBuilder();
  const records: TraceRecord[] = [];
  const formats: ResolvedFormat[] = [];
  for (const b of inputs) {
    const d = decodeTrace(b, input, builder);
    formats.push(d.format);
    for (const r of d.records) records.push(r);
  }
  return { records, formats, summary: pairExchanges(records, { responseTimeoutMs }) };
}

async function readInput(file: string): Promise<Uint8Array> {
  if (file !== "-") return new Uint8Array(await fs.readFile(file));
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

const write = (s: string | Uint8Array) =>
  new Promise<void>((resolve, reject) => process.stdout.write(s, (e) => (e ? reject(e) : resolve())));

export function registerDecode(program: Command): void {
  program
    .command("decode")
    .description("decode PLDM / MCTP traces (pldmd and pldmtool logs, hex, serial captures, pcap/pcapng) into one record per message")
    .argument("[files...]", "input files (default: standard input)")
    .addOption(new Option("-i, --input <format>", "what the input is").choices(INPUT_FORMATS).default("auto"))
    .addOption(new Option("-o, --output <format>", "what to print (pcap: pcapng to standard output)").choices(DECODE_OUTPUTS).default("text"))
    .option("--summary", "pair requests and responses and print latency, retries, time-outs and error codes", false)
    .option("--extract <dir>", "rebuild the files carried by Read/WriteFileByType into this directory")
    .option("--response-timeout <ms>", "answers later than this count as late in the summary", intOption(1, 600_000), 2000)
    .option("--strict", "exit 1 when any input could not be decoded", false)
    .action(async (files: string[], opts: DecodeOptions) => {
      if (opts.output === "pcap" && process.stdout.isTTY) throw new Error("--output pcap writes binary: redirect it to a file");
      const inputs = await Promise.all((files.length ? files : ["-"]).map(readInput));
      const { records, summary } = decodeInputs(inputs, opts.input, opts.responseTimeout);
      const color = opts.output === "text" && process.stdout.isTTY === true && !process.env.NO_COLOR;
      if (opts.output === "pcap") await write(recordsToPcapng(records));
      else if (opts.output === "mermaid") await write(formatMermaid(records));
      else {
        const render = opts.output === "json" ? (r: TraceRecord) => JSON.stringify(r) : (r: TraceRecord) => formatRecord(r, color);
        // Written in slices: a large trace must not become one giant string.
        for (let i = 0; i < records.length; i += 1000) await write(`${records.slice(i, i + 1000).map(render).join("\n")}\n`);
      }
      const notes: string[] = [];
      if (opts.extract) {
        for (const w of await writeRebuiltFiles(rebuildFiles(records), opts.extract)) notes.push(`extracted ${w.description}`);
      }
      if (opts.summary) notes.push(opts.output === "json" ? JSON.stringify({ summary }) : formatSummary(summary));
      // Notes go where they do not corrupt binary or diagram output.
      if (notes.length) {
        const text = `${notes.join("\n")}\n`;
        if (opts.output === "text" || opts.output === "json") await write(text);
        else process.stderr.write(text);
      }
      if (opts.strict && summary.decodeErrors > 0) {
        process.stderr.write(`decode: ${summary.decodeErrors} record(s) had errors\n`);
        process.exitCode = 1;
      }
    });
}
