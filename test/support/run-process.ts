/** Runs child processes without blocking this process: the REST front under test runs in it. */
import { spawn } from "node:child_process";
import { cliPath } from "./host-sim-process.js";

export interface ProcessRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runProcess(file: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"], timeout: 60_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** The built `hostbridge` CLI. */
export function runCli(args: readonly string[]): Promise<ProcessRun> {
  return runProcess(process.execPath, [cliPath, ...args], { env: { ...process.env, HOSTBRIDGE_LOG: "warn" } });
}
