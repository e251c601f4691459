/**
 * A password flood from its own process, as an attacker's would be: `count` GETs with
 * bad Basic credentials over `sockets` keep-alive connections, on loopback only. Prints
 * "started" once the first request is out and `{"401": n, "503": n, ...}` at the end.
 */
import { spawn } from "node:child_process";

const FLOOD_SCRIPT = `
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
const [url, caPath, count, sockets] = process.argv.slice(1);
const agent = new Agent({ keepAlive: true, maxSockets: Number(sockets) });
const ca = readFileSync(caPath);
const outcomes = {};
const one = (i) => new Promise((resolve) => {
  const name = i % 4 === 0 ? "viewer" : "guess-" + i;
  const auth = "Basic " + Buffer.from(name + ":pw-" + i).toString("base64");
  const req = request(url + "/ibm/v1/Host/Certificate", { agent, ca, headers: { Authorization: auth } }, (res) => {
    res.resume();
    res.on("end", () => { outcomes[res.statusCode] = (outcomes[res.statusCode] ?? 0) + 1; resolve(); });
  });
  req.on("error", () => { outcomes.error = (outcomes.error ?? 0) + 1; resolve(); });
  req.end();
});
const all = Array.from({ length: Number(count) }, (_, i) => one(i));
process.stdout.write("started\\n");
await Promise.all(all);
agent.destroy();
process.stdout.write(JSON.stringify(outcomes) + "\\n");
`;

export interface Flood {
  /** Resolves once the flood's requests are out. */
  readonly started: Promise<void>;
  /** Counts of answers by status ("error" for failed requests). */
  readonly finished: Promise<Record<string, number>>;
}

export function passwordFlood(url: string, caPath: string, count: number, sockets: number): Flood {
  const child = spawn(process.execPath, ["--input-type=module", "-e", FLOOD_SCRIPT, url, caPath, String(count), String(sockets)], {
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 120_000,
  });
  let out = "";
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes("started\n")) markStarted();
  });
  const finished = new Promise<Record<string, number>>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      markStarted();
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !last.startsWith("{")) reject(new Error(`the flood exited ${code}: ${out}`));
      else resolve(JSON.parse(last) as Record<string, number>);
    });
  });
  return { started, finished };
}
