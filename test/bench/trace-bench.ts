/** Trace decode throughput: a large pcapng capture and a large pldmd-style text log, through `decodeTrace`. */
import { decodeTrace } from "../../src/trace/trace-decoder.js";
import { recordsToPcapng } from "../../src/trace/records-to-pcapng.js";
import { benchStream } from "./codec-bench.js";
import { performance } from "node:perf_hooks";
import { round, type Metric } from "./measure.js";

/** The codec bench's message mix (small requests and ~1.5 KB certificate writes), as a capture and as a log. */
export function traceBenchInputs(messages = 4000): { pcapng: Uint8Array; textLog: Uint8Array; messages: number } {
  const { records } = decodeTrace(benchStream(messages), "serial");
  const start = Date.UTC(2025, 3, 3);
  records.forEach((r, i) => (r.time = new Date(start + i).toISOString()));
  const lines = records.map((r) => `${r.time} bmc pldmd[3179]: ${r.src === 8 ? "Tx" : "Rx"}: ${r.raw.replace(/(..)/g, "$1 ")}`);
  return { pcapng: recordsToPcapng(records), textLog: new TextEncoder().encode(`${lines.join("\n")}\n`), messages: records.length };
}

/**
 * Whole-file decodes per second, best of `rounds` runs of about `ms` each. measure.ts's `rate`
 * warms up with 1000 calls, which is minutes for a multi-megabyte file; two calls warm it here.
 */
function filesPerSecond(decode: () => number, ms: number, rounds = 3): number {
  decode();
  decode();
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms || calls === 0) {
      decode();
      calls++;
      now = performance.now();
    }
    best = Math.max(best, calls / ((now - start) / 1000));
  }
  return best;
}

export function traceMetrics(quick: boolean): Metric[] {
  const ms = quick ? 300 : 700;
  const { pcapng, textLog, messages } = traceBenchInputs(quick ? 1000 : 4000);
  const measure = (b: Uint8Array) => {
    const files = filesPerSecond(() => decodeTrace(b).records.length, ms);
    return { msgsPerSec: files * messages, mbPerSec: files * (b.length / 1e6) };
  };
  const pcap = measure(pcapng);
  const text = measure(textLog);
  return [
    { metric: "trace.decode.pcapng", value: round(pcap.mbPerSec), unit: "MB/s" },
    { metric: "trace.decode.pcapng.messages", value: round(pcap.msgsPerSec), unit: "msgs/s" },
    { metric: "trace.decode.textlog", value: round(text.mbPerSec), unit: "MB/s" },
    { metric: "trace.decode.textlog.messages", value: round(text.msgsPerSec), unit: "msgs/s" },
  ];
}
