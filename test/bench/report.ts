/**
 * docs/benchmarks.md (table of metrics and targets, machine facts, notes) and
 * docs/benchmarks.svg (bars of each target's ratio to its bound), both written by the run.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import type { Metric } from "./measure.js";

export interface Target {
  /** The metric the target is on, and how it reads in the table. */
  metric: string;
  text: string;
  /** Achieved over required, oriented so that >= 1 means met. */
  ratio: (get: (name: string) => number) => number;
}

export const TARGETS: Target[] = [
  { metric: "codec.pldm.decode", text: ">= 10 M msgs/s", ratio: (g) => g("codec.pldm.decode") / 10e6 },
  { metric: "codec.serial.decode", text: ">= 0.5 x baseline.crc16", ratio: (g) => g("codec.serial.decode") / (0.5 * g("baseline.crc16")) },
  { metric: "line.utilization.inflight32.baud115200", text: ">= 0.9", ratio: (g) => g("line.utilization.inflight32.baud115200") / 0.9 },
  {
    metric: "e2e.latency.p50.baud115200",
    text: "<= 1.3 x wire.floor.baud115200",
    ratio: (g) => (1.3 * g("wire.floor.baud115200")) / g("e2e.latency.p50.baud115200"),
  },
  { metric: "daemon.rss.growth", text: "< 5 %", ratio: (g) => 5 / Math.max(g("daemon.rss.growth"), 0.01) },
  { metric: "daemon.rss.rest", text: "<= 1.25 x baseline.node.rss", ratio: (g) => (1.25 * g("baseline.node.rss")) / g("daemon.rss.rest") },
  ...["pcapng", "pcapng.json", "textlog", "textlog.json"].map((name) => ({
    metric: `trace.decode.${name}.messages`,
    text: ">= 100,000 msgs/s",
    ratio: (g: (name: string) => number) => g(`trace.decode.${name}.messages`) / 100_000,
  })),
  {
    metric: "trace.decode.cli.pcapng.messages",
    text: "> baseline.tshark.pcapng.messages",
    ratio: (g) => g("trace.decode.cli.pcapng.messages") / g("baseline.tshark.pcapng.messages"),
  },
  { metric: "trace.decode.big.rss", text: "< 256 MB", ratio: (g) => 256 / g("trace.decode.big.rss") },
  { metric: "cli.start", text: "<= 2 x baseline.node.start", ratio: (g) => (2 * g("baseline.node.start")) / g("cli.start") },
];

export interface Machine {
  node: string;
  cpu: string;
  cores: number;
  date: string;
  commit: string;
  /** 1-minute load average when the run ended: the cores are shared, and ratios move with it. */
  load: number;
}

export function machineFacts(): Machine {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    // not a git checkout: leave it unknown
  }
  const cpu = cpus();
  return {
    node: process.version,
    cpu: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    date: new Date().toISOString(),
    commit,
    load: loadavg()[0] ?? NaN,
  };
}

const fmt = (v: number) => (Number.isFinite(v) ? String(v) : "n/a");

export function renderMarkdown(metrics: Metric[], machine: Machine, quick: boolean, notes: string[]): string {
  const get = (name: string) => metrics.find((m) => m.metric === name)?.value ?? NaN;
  const rows = metrics.map((m) => {
    const t = TARGETS.find((x) => x.metric === m.metric);
    const r = t ? t.ratio(get) : NaN;
    const shown = r > 99 ? ">99x" : `${r.toFixed(2)}x`;
    const verdict = !t ? "" : Number.isFinite(r) ? `${r >= 1 ? "met" : "**not met**"} (${shown})` : "not measured";
    return `| \`${m.metric}\` | ${fmt(m.value)} | ${m.unit} | ${t?.text ?? ""} | ${verdict} |`;
  });
  return [
    "# Benchmarks",
    "",
    `Written by \`npm run bench${quick ? " -- --quick" : ""}\`; every figure below comes from that one run on one machine.` +
      (quick ? " **Quick mode: short runs, rougher figures.**" : ""),
    "",
    `- Date: ${machine.date}`,
    `- Node: ${machine.node}`,
    `- CPU: ${machine.cpu} (${machine.cores} cores, shared with other work; 1-minute load average at the end: ${machine.load.toFixed(2)})`,
    `- Commit: ${machine.commit}`,
    "",
    "| metric | value | unit | target | met |",
    "|---|---|---|---|---|",
    ...rows,
    "",
    "![ratio of each target's achieved value to its bound](benchmarks.svg)",
    "",
    "## How it was measured",
    "",
    ...notes.map((n) => `- ${n}`),
    "",
  ].join("\n");
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** One horizontal bar per target: achieved / bound, with the line at 1 (the bound). */
export function renderSvg(metrics: Metric[]): string {
  const get = (name: string) => metrics.find((m) => m.metric === name)?.value ?? NaN;
  const rows = TARGETS.map((t) => ({ label: `${t.metric} ${t.text}`, ratio: t.ratio(get) }));
  const max = Math.max(2, ...rows.map((r) => (Number.isFinite(r.ratio) ? Math.min(r.ratio, 4) : 0)));
  const left = 420;
  const width = 300;
  const rowH = 28;
  const top = 40;
  const h = top + rows.length * rowH + 30;
  const x = (v: number) => left + (Math.min(v, max) / max) * width;
  const bars = rows.map((r, i) => {
    const y = top + i * rowH;
    const ok = r.ratio >= 1;
    const v = Number.isFinite(r.ratio) ? r.ratio : 0;
    return [
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(r.label)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${(x(v) - left).toFixed(1)}" height="16" fill="${ok ? "#2e7d32" : "#c62828"}"/>`,
      `<text x="${(x(v) + 6).toFixed(1)}" y="${y + 15}">${Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}x` : "n/a"}</text>`,
    ].join("");
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 70}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Achieved / target bound (1 = just met; green met, red not met)</text>`,
    ...bars,
    `<line x1="${x(1)}" y1="${top - 4}" x2="${x(1)}" y2="${h - 24}" stroke="black" stroke-dasharray="4 3"/>`,
    `<text x="${x(1)}" y="${h - 10}" text-anchor="middle">1</text>`,
    `</svg>`,
    "",
  ].join("\n");
}

export function writeReport(dir: string, metrics: Metric[], quick: boolean, notes: string[]): void {
  writeFileSync(`${dir}/benchmarks.md`, renderMarkdown(metrics, machineFacts(), quick, notes));
  writeFileSync(`${dir}/benchmarks.svg`, renderSvg(metrics));
}
