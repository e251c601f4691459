/**
 * Runs one attestation hook: an external command (argv, no shell) that reads a JSON
 * document on stdin and answers by its exit status: 0 allows, 1 denies, anything else
 * (another code, a signal, no start, or no answer within the time-out) is an error.
 * The first line the hook prints (stdout, else stderr) is its reason.
 */
import { spawn } from "node:child_process";

export interface HookCommand {
  /** Program and arguments; nothing goes through a shell. */
  readonly argv: readonly string[];
  readonly timeoutMs: number;
}

export type HookOutcome = { readonly verdict: "allow" | "deny" | "error"; readonly reason: string };

// A hook's reason is for a log line and a REST answer, not a report.
const MAX_OUTPUT = 4096;
const MAX_REASON = 200;

export function runHook(command: HookCommand, input: unknown): Promise<HookOutcome> {
  const [file, ...args] = command.argv;
  if (file === undefined) return Promise.resolve({ verdict: "error", reason: "the hook has no command" });
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let settled = false;
    const settle = (outcome: HookOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    // Its own process group, so a time-out also ends whatever the hook started.
    const child = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"], detached: true, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      settle({ verdict: "error", reason: `no answer within ${command.timeoutMs} ms (killed)` });
    }, command.timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout = (stdout + chunk).slice(0, MAX_OUTPUT)));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(0, MAX_OUTPUT)));
    child.on("error", (error) => settle({ verdict: "error", reason: `could not run ${file}: ${error.message}` }));
    child.on("close", (code, signal) => {
      const said = firstLine(stdout) || firstLine(stderr);
      if (code === 0) settle({ verdict: "allow", reason: said || "exit 0" });
      else if (code === 1) settle({ verdict: "deny", reason: said || "exit 1" });
      else settle({ verdict: "error", reason: `${signal ? `killed by ${signal}` : `exit ${code}`}${said ? `: ${said}` : ""}` });
      // Children the hook left behind go with it.
      killGroup();
    });
    // A hook that does not read its input is not an error.
    child.stdin.on("error", () => undefined);
    child.stdin.end(`${JSON.stringify(input)}\n`);
  });
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.trim().slice(0, MAX_REASON);
}
