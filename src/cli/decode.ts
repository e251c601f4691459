/** `hostbridge decode`: PLDM/MCTP traces in, one record per message out. */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { Option } from "commander";
import { formatRecord } from "../trace/format-text.js";
import { HexError, parseHex } from "../trace/hex.js";
import { SerialTraceDecoder } from "../trace/serial-trace-decoder.js";
import { errorRecord, recordFromPldm, type TraceRecord } from "../trace/trace-record.js";

export const DECODE_INPUTS = ["pldm-hex", "serial-hex"] as const;
export const DECODE_OUTPUTS = ["text", "json"] as const;

interface DecodeOptions {
  input: (typeof DECODE_INPUTS)[number];
  output: (typeof DECODE_OUTPUTS)[number];
  strict: boolean;
}

async function* lines(files: string[]): AsyncGenerator<string> {
  const sources = files.length ? files : ["-"];
  for (const f of sources) {
    const stream = f === "-" ? process.stdin : createReadStream(f);
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) yield line;
  }
}

/** Turns input lines into records; kept apart from printing so tests and other commands can use it. */
export async function* decodeLines(source: AsyncIterable<string>, input: DecodeOptions["input"]): AsyncGenerator<TraceRecord> {
  let index = 0;
  const serial = new SerialTraceDecoder();
  for await (const line of source) {
    if (!line.replace(/#.*$/, "").trim()) continue;
    let bytes: Uint8Array;
    try {
      bytes = parseHex(line);
    } catch (e) {
      if (!(e instanceof HexError)) throw e;
      yield errorRecord(input === "pldm-hex" ? index++ : -1, new TextEncoder().encode(line), e.message);
      continue;
    }
    if (input === "pldm-hex") yield recordFromPldm(index++, bytes);
    else yield* serial.push(bytes);
  }
  if (input === "serial-hex") yield* serial.finish();
}

export function registerDecode(program: Command): void {
  program
    .command("decode")
    .description("decode PLDM / MCTP traces into one record per message")
    .argument("[files...]", "input files (default: standard input)")
    .addOption(new Option("-i, --input <format>", "what the input is").choices(DECODE_INPUTS).default("pldm-hex"))
    .addOption(new Option("-o, --output <format>", "what to print").choices(DECODE_OUTPUTS).default("text"))
    .option("--strict", "exit 1 when any input could not be decoded", false)
    .action(async (files: string[], opts: DecodeOptions) => {
      const color = opts.output === "text" && process.stdout.isTTY === true && !process.env.NO_COLOR;
      let bad = 0;
      for await (const r of decodeLines(lines(files), opts.input)) {
        if (r.error) bad++;
        process.stdout.write(`${opts.output === "json" ? JSON.stringify(r) : formatRecord(r, color)}\n`);
      }
      if (opts.strict && bad > 0) {
        process.stderr.write(`decode: ${bad} record(s) had errors\n`);
        process.exitCode = 1;
      }
    });
}
