/**
 * End-to-end figures: certificates per second at 1, 4 and 32 in flight, per-request latency
 * unpaced and at 115200 baud next to the wire-time floor, the host's signing-only rate for
 * the same key type, and the BMC process's resident memory under a long run.
 */
import { spawn } from "node:child_process";
import { DAEMON_NODE_FLAGS } from "../../src/os/cli-path.js";
import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { DEFAULT_VMI_CA_SETTINGS, VmiCa } from "../../host-sim/vmi-ca.js";
import { createCsr, generateKeyPair } from "../../src/x509/index.js";
import { startBmcUnderTest, type BmcOptions, type BmcUnderTest } from "./bmc-under-test.js";
import { round, type Metric } from "./measure.js";

export type StartBmc = (opts: BmcOptions) => Promise<BmcUnderTest>;

export interface E2eResult {
  metrics: Metric[];
  /** Which BMC path was measured and the run's sizes, for the report. */
  notes: string[];
}

const BAUD = 115200;

/** Runs `count` requests keeping `inflight` outstanding; ids continue from `firstId`. */
export async function runLoad(bmc: BmcUnderTest, firstId: number, count: number, inflight: number): Promise<{ seconds: number; latenciesMs: number[] }> {
  const latenciesMs: number[] = [];
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < count) {
      const id = firstId + next++;
      const t0 = performance.now();
      await bmc.sign(id);
      latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inflight, count) }, worker));
  return { seconds: (performance.now() - start) / 1000, latenciesMs };
}

/** Requests per RSS reading, and how many of the last requests of a run the peak is taken over. */
const PEAK_STEP = 200;
const PEAK_WINDOW = 1000;

/**
 * Runs `count` requests at 32 in flight, reading RSS every PEAK_STEP over the last PEAK_WINDOW;
 * returns the highest reading. One reading lands anywhere on the GC's saw-tooth, which swings
 * ~5 % under load; peaks compared across runs show growth, not where GC happened to be.
 */
async function peakRssUnderLoad(bmc: BmcUnderTest, firstId: number, count: number): Promise<number> {
  let peak = 0;
  for (let done = 0; done < count;) {
    const step = done < count - PEAK_WINDOW ? count - PEAK_WINDOW - done : Math.min(PEAK_STEP, count - done);
    await runLoad(bmc, firstId + done, step, 32);
    done += step;
    if (count - done < PEAK_WINDOW) peak = Math.max(peak, (await bmc.stats()).rssMb);
  }
  return peak;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** What host-sim does per CSR (parse, verify, issue), alone, as many at once as the busiest load. */
export async function signOnlyRate(csrPem: string, seconds: number, inflight: number): Promise<number> {
  const ca = new VmiCa(DEFAULT_VMI_CA_SETTINGS);
  await ca.newRoot(1);
  for (let i = 0; i < 4; i++) await ca.sign(csrPem);
  let signed = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      await ca.sign(csrPem);
      signed++;
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  return signed / ((performance.now() - start) / 1000);
}

/**
 * A bare node on this machine, started as the stack starts its parts (same flags) and idle for
 * as long as the daemon had before its rest figure: the floor the daemon's own RSS is held to.
 */
export async function bareNodeRssMb(settleMs: number): Promise<number> {
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, "-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  try {
    await new Promise((r) => setTimeout(r, settleMs));
    const status = await readFile(`/proc/${child.pid}/status`, "utf8");
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
  } finally {
    child.kill("SIGKILL");
  }
}

/** When the daemon's memory is read, after the first root: just started, and at rest. */
const START_MS = 3000;
const REST_MS = 15_000;

export async function e2eMetrics(quick: boolean, startBmc: StartBmc = startBmcUnderTest): Promise<E2eResult> {
  const sizes = quick
    ? // Memory growth is measured after the same warm-up as the full run (3,500 requests), only over a shorter window.
      { inflight1: 15, inflight4: 30, inflight32: 96, rssFrom: 3500, rssTo: 4500, paced: 3, pacedInflight32: 48, signSeconds: 1, rounds: 2 }
    : { inflight1: 100, inflight4: 200, inflight32: 640, rssFrom: 3500, rssTo: 11500, paced: 15, pacedInflight32: 160, signSeconds: 3, rounds: 3 };
  // The BMC's CSR: an RSA 2048 key, as the HMC's request carries; the VMI CA key is rsa2048 too.
  const csrPem = await createCsr({ keys: await generateKeyPair("rsa2048"), subject: "CN=bench,O=IBM" });
  const metrics: Metric[] = [];
  const put = (metric: string, value: number, unit: string) => metrics.push({ metric, value: round(value), unit });

  const bmc = await startBmc({ csrPem });
  let id = 1;
  let path = "";
  try {
    path = bmc.path;
    // Just started: the first root received, 3 s idle. At rest: idle until V8's idle-time GC
    // (its memory reducer, 8 s after load) has run; the bare node idles as long.
    await new Promise((r) => setTimeout(r, START_MS));
    const start = await bmc.stats();
    await new Promise((r) => setTimeout(r, REST_MS - START_MS));
    const rest = await bmc.stats();
    await runLoad(bmc, id, 8, 4); // warm-up: JIT and first-use allocations
    id += 8;
    const one = await runLoad(bmc, id, sizes.inflight1, 1);
    id += sizes.inflight1;
    put("e2e.throughput.inflight1", sizes.inflight1 / one.seconds, "certs/s");
    const four = await runLoad(bmc, id, sizes.inflight4, 4);
    id += sizes.inflight4;
    put("e2e.throughput.inflight4", sizes.inflight4 / four.seconds, "certs/s");
    // 32 in flight and signing alone in alternate rounds, best of each: other work on the
    // shared machine then weighs on both alike.
    let best32 = 0;
    let signOnly = 0;
    const cpuBefore = (await bmc.stats()).cpuMs;
    for (let r = 0; r < sizes.rounds; r++) {
      const many = await runLoad(bmc, id, sizes.inflight32, 32);
      id += sizes.inflight32;
      best32 = Math.max(best32, sizes.inflight32 / many.seconds);
      signOnly = Math.max(signOnly, await signOnlyRate(csrPem, sizes.signSeconds, 32));
    }
    put("e2e.throughput.inflight32", best32, "certs/s");
    put("sign.only", signOnly, "certs/s");
    const cpuAfter = (await bmc.stats()).cpuMs;
    // What the BMC side spends per certificate: the transport's own cost, apart from the host's signing.
    if (cpuBefore !== undefined && cpuAfter !== undefined) put("daemon.cpu.per.request", (cpuAfter - cpuBefore) / (sizes.rounds * sizes.inflight32), "ms");
    put("e2e.latency.p50.unpaced", percentile(one.latenciesMs, 50) / 1000, "s");
    put("e2e.latency.p99.unpaced", percentile(one.latenciesMs, 99) / 1000, "s");

    // Memory: the peak over the last PEAK_WINDOW requests up to rssFrom, and up to rssTo.
    const toFrom = sizes.rssFrom - id + 1;
    if (toFrom < PEAK_WINDOW) throw new Error(`bench sizes: request ${sizes.rssFrom} leaves ${toFrom} requests to read the first peak over`);
    const from = await peakRssUnderLoad(bmc, id, toFrom);
    id += toFrom;
    const to = await peakRssUnderLoad(bmc, id, sizes.rssTo - sizes.rssFrom);
    id += sizes.rssTo - sizes.rssFrom;
    put("daemon.rss.start", start.rssMb, "MB");
    put("daemon.rss.rest", rest.rssMb, "MB");
    put("baseline.node.rss", await bareNodeRssMb(REST_MS), "MB");
    put("daemon.rss.after", to, "MB");
    put("daemon.rss.growth", ((to - from) / from) * 100, "percent");
  } finally {
    await bmc.close();
  }

  const paced = await startBmc({ csrPem, baud: BAUD });
  try {
    await runLoad(paced, 1, 1, 1);
    const before = await paced.stats();
    const run = await runLoad(paced, 2, sizes.paced, 1);
    const after = await paced.stats();
    const bytesPerRequest = (after.wireBytes - before.wireBytes) / sizes.paced;
    put("e2e.latency.p50.baud115200", percentile(run.latenciesMs, 50) / 1000, "s");
    put("e2e.latency.p99.baud115200", percentile(run.latenciesMs, 99) / 1000, "s");
    put("wire.floor.baud115200", (bytesPerRequest * 10) / BAUD, "s");
    metrics.push({ metric: "wire.bytes.per.request", value: Math.round(bytesPerRequest), unit: "bytes" });
    // What the line allows: 32 in flight keep it busy; certificates/s x bytes each x 10 bits / baud.
    const full = await runLoad(paced, 2 + sizes.paced, sizes.pacedInflight32, 32);
    const certsPerSecond = sizes.pacedInflight32 / full.seconds;
    put("e2e.throughput.inflight32.baud115200", certsPerSecond, "certs/s");
    put("line.utilization.inflight32.baud115200", (certsPerSecond * bytesPerRequest * 10) / BAUD, "ratio");
  } finally {
    await paced.close();
  }
  const notes = [
    `Measured path: ${path}.`,
    `Requests: ${sizes.inflight1} at 1 in flight (unpaced latency from these), ${sizes.inflight4} at 4, ${sizes.inflight32} at 32 (a round; best of ${sizes.rounds}); ` +
      `memory growth between request ${sizes.rssFrom} and ${sizes.rssTo} (all at 32 in flight; each the highest RSS read every ${PEAK_STEP} requests over the last ${PEAK_WINDOW}, as GC swings single readings by ~5 %); ${sizes.paced} requests one at a time at ${BAUD} baud, both ends paced, then ${sizes.pacedInflight32} at 32 in flight for the line utilization.`,
    "Line utilization: certificates per second at 32 in flight at 115200 baud x the wire bytes of one exchange (both directions, as counted for the wire floor) x 10 bits / baud. " +
      "The line is full duplex and this sums both directions, so the figure can pass 1: with 32 in flight, CSRs (BMC to host) and certificates (host to BMC) cross at the same time.",
    `sign.only: host-sim's VmiCa.sign (parse and verify the CSR, issue the certificate; rsa2048 CA key, RSA 2048 CSR) with 32 at once in the bench process, ${sizes.signSeconds} s a round; best of ${sizes.rounds} rounds, alternating with the 32-in-flight runs.`,
    "Wire floor: serial bytes counted on the BMC's side of the pty in both directions during the paced run, per request, x 10 bits / baud.",
    "The cores are shared: ratio targets move with the load average above. Signing alone runs in one process; end to end, the BMC process, " +
      "host-sim and the pty need the scheduler too, so a loaded machine costs the 32-in-flight figure more than sign.only " +
      "(`daemon.cpu.per.request` is the BMC side's own CPU time per certificate).",
    "Memory: the BMC process's resident size (VmRSS of the daemon, read as it runs). It runs with `--max-semi-space-size=1` (LocalStack and the systemd unit start it so): without it V8 widens its young generation " +
      "under steady load and RSS rose ~23 % between requests 2,000 and 10,000 while the JS heap stayed flat at ~8 MB and external memory at ~4 MB " +
      "(measured on the in-process harness with a forced GC; with the flag RSS stayed within ~2 %).",
  ];
  notes.push(
    `Memory at rest: \`daemon.rss.rest\` is the daemon's VmRSS ${REST_MS / 1000} s after the first root was written, once V8's idle-time GC has run ` +
      `(\`daemon.rss.start\` is the same ${START_MS / 1000} s after); \`baseline.node.rss\` is a bare node with the daemon's own flags ` +
      `(\`${DAEMON_NODE_FLAGS.join(" ")}\`) idling ${REST_MS / 1000} s on the same machine. The daemon runs from its one-file bundle in V8's lite mode, ` +
      "checks certificates with node:crypto and its settings with generated validators; what it loads beyond a bare node is in docs/decisions.md (Benchmarks).",
  );
  return { metrics, notes };
}
