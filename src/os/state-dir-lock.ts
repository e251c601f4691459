/**
 * One `hostbridge up` per state directory. The lock is a Linux abstract unix socket named
 * after the directory's device and inode: binding it is atomic, it leaves no file behind,
 * and the kernel frees it the moment the holder dies (even by SIGKILL), so a stale lock
 * cannot exist. Whoever connects is told the holder's pid (docs/decisions.md).
 */
import { promises as fs } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";

export class StateDirLockedError extends Error {
  override readonly name = "StateDirLockedError";
  constructor(
    readonly dir: string,
    readonly holderPid: number | null,
  ) {
    super(`${dir} is in use by another hostbridge up (pid ${holderPid ?? "unknown"}); stop it first or pick another --state-dir`);
  }
}

export interface StateDirLock {
  readonly dir: string;
  release(): Promise<void>;
}

/** The abstract socket name for a directory (which must exist): the same for every path to it. */
async function lockName(dir: string): Promise<string> {
  const st = await fs.stat(dir, { bigint: true });
  return `\0pldm-hostbridge/state-dir/${st.dev}:${st.ino}`;
}

/** Takes the lock on dir (created when missing), or throws StateDirLockedError naming the holder. */
export async function lockStateDir(dir: string): Promise<StateDirLock> {
  await fs.mkdir(dir, { recursive: true });
  const name = await lockName(dir);
  const server = createServer((peer) => peer.end(`${JSON.stringify({ pid: process.pid })}\n`));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(name, () => resolve());
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    throw new StateDirLockedError(dir, await holderPid(name));
  }
  server.unref(); // the lock never keeps the process alive on its own
  return { dir, release: () => closeServer(server) };
}

function holderPid(name: string, timeoutMs = 2000): Promise<number | null> {
  return new Promise((resolve) => {
    let text = "";
    const sock = createConnection(name);
    const done = (pid: number | null) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(pid);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.on("data", (d: Buffer) => (text += d.toString()));
    sock.on("end", () => {
      const pid = Number((JSON.parse(text || "{}") as { pid?: unknown }).pid);
      done(Number.isInteger(pid) && pid > 0 ? pid : null);
    });
    sock.on("error", () => done(null));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
