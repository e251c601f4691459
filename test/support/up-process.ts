/** `hostbridge up` as a child process, started as README says, ready once it prints its how-to. */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI_PATH } from "../../src/os/cli-path.js";
import { eventually } from "./dbus.js";

export interface UpInfo {
  restUrl: string;
  restCaPath: string;
  username: string;
  password: string;
  busAddress: string;
  rootCertPath: string;
  tracePath: string | null;
  pid: number;
  [key: string]: unknown;
}

export interface RunningUp {
  child: ChildProcess;
  /** What up printed so far (the how-to on stdout; its own lines on stderr). */
  stdout(): string;
  stderr(): string;
  /** up.json as it wrote it. */
  info: UpInfo;
  /** Resolves with the exit code once up has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts up on stateDir with free ports and a P-256 VMI key, plus `args`. `detached` puts it in
 * its own process group, as a shell job is, so a test can signal the group as a terminal does.
 */
export async function startUp(stateDir: string, args: string[] = [], opts: { detached?: boolean; readyMs?: number } = {}): Promise<RunningUp> {
  const child = spawn(process.execPath, [CLI_PATH, "up", "--state-dir", stateDir, "--rest-port", "0", "--vmi-tls-port", "0", "--key", "p256", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: opts.detached ?? false,
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once("exit", (code, signal) => r({ code, signal })));
  await eventually(
    () => {
      if (child.exitCode !== null) throw new Error(`up exited with ${child.exitCode}: ${err}`);
      return out.includes("Ctrl-C stops everything") ? true : undefined;
    },
    opts.readyMs ?? 60_000,
    "up to print its how-to",
  );
  const info = JSON.parse(readFileSync(join(stateDir, "up.json"), "utf8")) as UpInfo;
  return { child, stdout: () => out, stderr: () => err, info, exited };
}

/**
 * SignCSR through the stack's REST front with curl, as README's pasted line does; returns the
 * raw answer (curl's non-zero exit throws). The body goes through a file in `dir`.
 */
export function curlSignCsr(info: UpInfo, dir: string, csrPem: string, maxTimeS: number): string {
  const body = join(dir, "body.json");
  writeFileSync(body, JSON.stringify({ CsrString: csrPem }));
  const auth = `${info.username}:${info.password}`;
  const args = ["-sS", "--max-time", String(maxTimeS), "--cacert", info.restCaPath, "-u", auth, "-H", "Content-Type: application/json"];
  return execFileSync("curl", [...args, "--data", `@${body}`, `${info.restUrl}/ibm/v1/Host/Actions/SignCSR`], { encoding: "utf8" });
}
