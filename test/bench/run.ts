/**
 * `npm run bench`: prints one JSON line per metric ({"metric","value","unit"}).
 * `--quick` shortens every measurement. All figures come from one run on one machine.
 */
import { codecMetrics } from "./codec-bench.js";
import type { Metric } from "./measure.js";

const quick = process.argv.includes("--quick");
const metrics: Metric[] = [];
const emit = (m: Metric) => {
  metrics.push(m);
  process.stdout.write(`${JSON.stringify(m)}\n`);
};

for (const m of codecMetrics(quick)) emit(m);

const get = (name: string) => metrics.find((m) => m.metric === name)?.value ?? NaN;
const checks = [
  { target: "codec.pldm.decode >= 10 M msgs/s", ok: get("codec.pldm.decode") >= 10e6 },
  { target: "codec.serial.decode >= 0.5 x baseline.crc16", ok: get("codec.serial.decode") >= 0.5 * get("baseline.crc16") },
];
for (const c of checks) process.stderr.write(`bench: ${c.ok ? "met" : "NOT MET"}: ${c.target}\n`);
