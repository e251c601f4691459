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
  /** Resolves when the daemon has exited, for whatever reason. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops the daemon; every connection on it sees the bus go away. */
  stop(): Promise<void>;
}

export class DbusDaemonError extends Error {
  override readonly name = "DbusDaemonError";
}

/**
 * A dbus-daemon left by a run that was killed outright (its pid file in dir, its command
 * line naming our socket) is stopped, so a new run does not leave two behind.
 */
async function stopLeftover(pidFile: string, socketPath: string): Promise<void> {
  const pid = Number(await fs.readFile(pidFile, "utf8").catch(() => ""));
  if (!Number.isInteger(pid) || pid <= 0) return;
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  if (cmdline.startsWith("dbus-daemon") && cmdline.includes(socketPath)) process.kill(pid, "SIGTERM");
}

export async function startPrivateBus(dir: string, timeoutMs = 5000): Promise<PrivateBus> {
  await fs.mkdir(dir, { recursive: true });
  const socketPath = join(dir, "bus.sock");
  const pidFile = join(dir, "dbus-daemon.pid");
  await stopLeftover(pidFile, socketPath);
  await fs.rm(socketPath, { force: true });
  let child: ChildProcess;
  try {
    // Its own process group: a terminal's Ctrl-C or hang-up reaches whoever started it, who
    // stops it last, after every connection on it is closed.
    child = spawn("dbus-daemon", ["--session", "--nofork", "--nopidfile", "--print-address=1", `--address=unix:path=${socketPath}`], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
  } catch (e) {
    throw new DbusDaemonError(`cannot start dbus-daemon: ${(e as Error).message}`);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once("exit", (code, signal) => r({ code, signal })));
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
    const exitedEarly = (code: number | null) => fail(`exited with code ${code}`);
    child.once("exit", exitedEarly);
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) {
        clearTimeout(timer);
        child.off("exit", exitedEarly);
        resolve(line.trim());
      }
    });
  });
  await fs.writeFile(pidFile, `${child.pid}\n`);
  void exited.then(() => fs.rm(pidFile, { force: true }));
  return {
    address,
    socketPath,
    pid: child.pid!,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 2000);
        await exited;
        clearTimeout(t);
      }
      await Promise.all([fs.rm(socketPath, { force: true }), fs.rm(pidFile, { force: true })]);
    },
  };
}
