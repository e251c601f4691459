/**
 * The decoder as people run it, beside what they would run instead: `hostbridge decode` and
 * tshark with our Lua dissector on the same capture (time and peak RSS each, via GNU time),
 * a capture of 1 GB (64 MB in quick mode) for bounded memory, and how fast `hostbridge`
 * starts against a bare node in the same run.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { round, type Metric } from "./measure.js";
import { writeBigPcapng } from "./trace-bench.js";

const here = dirname(fileURLToPath(import.meta.url));
const cli = resolve(here, "../../src/cli/main.js");
const lua = resolve(here, here.includes("/dist/") ? "../../../contrib/wireshark/pldm-ibm-oem.lua" : "../../contrib/wireshark/pldm-ibm-oem.lua");
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

/** Wall seconds and peak RSS (MB) of a command whose output goes to /dev/null, or null when it failed. */
function timed(cmd: string, args: string[]): { seconds: number; rssMb: number } | null {
  const res = spawnSync("/usr/bin/time", ["-f", "%e %M", cmd, ...args], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", timeout: 1_800_000 });
  const m = /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(res.stderr);
  if (res.status !== 0 || !m) return null;
  return { seconds: Number(m[1]), rssMb: Number(m[2]) / 1024 };
}

/** Best of `runs` wall times (ms) of a short command. */
function startMs(args: string[], runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, args, { stdio: "ignore" });
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

export function cliMetrics(quick: boolean): { metrics: Metric[]; notes: string[] } {
  const metrics: Metric[] = [];
  const notes: string[] = [];
  const runs = quick ? 5 : 11;
  // Interleaved would be fairer still; best-of on each side takes out most of the noise of a shared machine.
  const node = startMs(["-e", "0"], runs);
  const start = startMs([cli, "--version"], runs);
  metrics.push({ metric: "baseline.node.start", value: round(node), unit: "ms" }, { metric: "cli.start", value: round(start), unit: "ms" });
  notes.push(
    `Start: \`cli.start\` is \`hostbridge --version\` and \`baseline.node.start\` a bare \`node -e 0\`, best of ${runs} each in this run; sub-commands load their modules only when run.`,
  );

  if (!has("/usr/bin/time")) {
    notes.push("Side-by-side decode figures need GNU time (/usr/bin/time): not measured.");
    return { metrics, notes };
  }
  const dir = mkdtempSync(join(tmpdir(), "hb-bench-decode-"));
  try {
    const file = join(dir, "capture.pcapng");
    const messages = writeBigPcapng(file, quick ? 8e6 : 38e6);
    const mb = statSync(file).size / 1e6;
    const ours = timed(process.execPath, [cli, "decode", file]);
    if (ours) {
      metrics.push(
        { metric: "trace.decode.cli.pcapng.messages", value: round(messages / ours.seconds), unit: "msgs/s" },
        { metric: "trace.decode.cli.pcapng.rss", value: round(ours.rssMb), unit: "MB" },
      );
    }
    if (has("tshark")) {
      const theirs = timed("tshark", ["-X", `lua_script:${lua}`, "-r", file]);
      if (theirs) {
        metrics.push(
          { metric: "baseline.tshark.pcapng.messages", value: round(messages / theirs.seconds), unit: "msgs/s" },
          { metric: "baseline.tshark.pcapng.rss", value: round(theirs.rssMb), unit: "MB" },
        );
      }
    }
    notes.push(
      `Side by side: \`hostbridge decode\` (text) and \`tshark -X lua_script:contrib/wireshark/pldm-ibm-oem.lua -r\` (its one-line summaries) on the same ${mb.toFixed(0)} MB pcapng of ${messages} messages, output to /dev/null, wall time and peak RSS from GNU time.`,
    );
    rmSync(file);
    const big = join(dir, "big.pcapng");
    const bigMessages = writeBigPcapng(big, quick ? 64e6 : 1e9);
    const bigMb = statSync(big).size / 1e6;
    const run = timed(process.execPath, [cli, "decode", "--summary", big]);
    if (run) {
      metrics.push(
        { metric: "trace.decode.big.rss", value: round(run.rssMb), unit: "MB" },
        { metric: "trace.decode.big.messages", value: round(bigMessages / run.seconds), unit: "msgs/s" },
      );
      notes.push(
        `Bounded memory: \`trace.decode.big.rss\` is the peak RSS of \`hostbridge decode --summary\` on a ${bigMb.toFixed(0)} MB pcapng (${bigMessages} messages) written for the run.`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { metrics, notes };
}
