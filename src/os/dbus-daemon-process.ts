/**
 * A private dbus-daemon for the local stack and tests: its own socket in a directory of
 * ours, the session policy (anyone may own any name), stopped with us.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { promises as fs } from "node:fs";
import { join } from "node:path";

export interface PrivateBus {
  address: string;
  socketPath: string;
  pid: number;
  /** Stops the daemon; every connection on it sees the bus go away. */
  stop(): Promise<void>;
}

export class DbusDaemonError extends Error {
  override readonly name = "DbusDaemonError";
}

export async function startPrivateBus(dir: string, timeoutMs = 5000): Promise<PrivateBus> {
  await fs.mkdir(dir, { recursive: true });
  const socketPath = join(dir, "bus.sock");
  await fs.rm(socketPath, { force: true });
  let child: ChildProcess;
  try {
    child = spawn("dbus-daemon", ["--session", "--nofork", "--nopidfile", "--print-address=1", `--address=unix:path=${socketPath}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    throw new DbusDaemonError(`cannot start dbus-daemon: ${(e as Error).message}`);
  }
  const address = await new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => fail(`no address printed in ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new DbusDaemonError(`dbus-daemon: ${why}${err ? `: ${err.trim()}` : ""}`));
    };
    child.once("error", (e) => fail((e as NodeJS.ErrnoException).code === "ENOENT" ? "not installed (apt-get install dbus-daemon)" : e.message));
    child.once("exit", (code) => fail(`exited with code ${code}`));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolve(line.trim());
      }
    });
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return {
    address,
    socketPath,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 2000);
      await exited;
      clearTimeout(t);
    },
  };
}
