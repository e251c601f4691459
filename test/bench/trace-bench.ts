/** Trace decode throughput: a large pcapng capture and a large pldmd-style text log, decoded and printed as text and JSON. */
import { formatRecord } from "../../src/trace/format-text.js";
import { recordsToPcapng } from "../../src/trace/records-to-pcapng.js";
import { DecodeSession, decodeInputs } from "../../src/trace/trace-decoder.js";
import { recordToJson, type TraceRecord } from "../../src/trace/decoded-record.js";
import { benchStream } from "./codec-bench.js";
import { closeSync, openSync, writeSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { pcapngPreamble } from "../../src/trace/pcapng-writer.js";
import { round, type Metric } from "./measure.js";

/** The codec bench's message mix (small requests and ~1.5 KB certificate writes), as a capture and as a log. */
export function traceBenchInputs(messages = 4000): { pcapng: Uint8Array; textLog: Uint8Array; messages: number } {
  const { records } = decodeInputs([benchStream(messages)], "serial");
  const start = Date.UTC(2025, 3, 3);
  records.forEach((r, i) => (r.time = new Date(start + i).toISOString()));
  const lines = records.map((r) => `${r.time} bmc pldmd[3179]: ${r.src === 8 ? "Tx" : "Rx"}: ${r.raw.replace(/(..)/g, "$1 ")}`);
  return { pcapng: recordsToPcapng(records), textLog: new TextEncoder().encode(`${lines.join("\n")}\n`), messages: records.length };
}

/**
 * Writes a pcapng of about `bytes` to `path` for memory and speed runs: the bench capture's
 * packets repeated (each repeat is the same exchange again), written as it grows.
 */
export function writeBigPcapng(path: string, bytes: number): number {
  const { pcapng, messages } = traceBenchInputs(2000);
  const body = pcapng.subarray(pcapngPreamble().length);
  const fd = openSync(path, "w");
  try {
    writeSync(fd, pcapngPreamble());
    let written = 0;
    let repeats = 0;
    for (; written < bytes; repeats++) written += writeSync(fd, body);
    return repeats * messages;
  } finally {
    closeSync(fd);
  }
}

/** Decodes `b` in 1 MB chunks as the CLI does and renders every record; returns the characters printed. */
export function decodeAndRender(b: Uint8Array, output: "text" | "json"): number {
  const session = new DecodeSession();
  const out: TraceRecord[] = [];
  let printed = 0;
  const render = (rs: TraceRecord[]) => {
    for (const r of rs) printed += (output === "json" ? recordToJson(r) : formatRecord(r)).length;
    rs.length = 0;
  };
  for (let at = 0; at < b.length; at += 1 << 20) {
    session.push(b.subarray(at, at + (1 << 20)), out);
    render(out);
  }
  session.endInput(out);
  session.finish(out);
  render(out);
  return printed;
}

/** Whole-file decodes per second over about `ms`. */
function filesPerSecond(decode: () => number, ms: number): number {
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms || calls === 0) {
    decode();
    calls++;
    now = performance.now();
  }
  return calls / ((now - start) / 1000);
}

/**
 * Each case's best over `rounds` alternating rounds: the two cores are shared, and a burst of
 * other work lasting a few seconds would otherwise fall on every round of one case. measure.ts's
 * `rate` warms up with 1000 calls, which is minutes for a multi-megabyte file; two calls warm it here.
 */
export function traceMetrics(quick: boolean): Metric[] {
  const [rounds, ms] = quick ? [5, 150] : [7, 300];
  const { pcapng, textLog, messages } = traceBenchInputs(quick ? 1000 : 4000);
  const cases = (["pcapng", "textlog"] as const).flatMap((name) =>
    (["text", "json"] as const).map((output) => {
      const b = name === "pcapng" ? pcapng : textLog;
      return { name, output, bytes: b.length, decode: () => decodeAndRender(b, output), best: 0 };
    }),
  );
  for (const c of cases) {
    c.decode();
    c.decode();
  }
  for (let r = 0; r < rounds; r++) for (const c of cases) c.best = Math.max(c.best, filesPerSecond(c.decode, ms));
  return cases.flatMap(({ name, output, bytes, best }) => {
    const suffix = output === "text" ? "" : ".json";
    return [
      { metric: `trace.decode.${name}${suffix}`, value: round(best * (bytes / 1e6)), unit: "MB/s" },
      { metric: `trace.decode.${name}${suffix}.messages`, value: round(best * messages), unit: "msgs/s" },
    ];
  });
}
