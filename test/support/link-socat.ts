/** A socat pty pair for tests: two /dev/pts paths wired back to back, raw. */
import { spawn, type ChildProcess } from "node:child_process";

export interface SocatPair {
  paths: [string, string];
  process: ChildProcess;
  /** Kills socat and resolves once it has exited. */
  stop(): Promise<void>;
}

export function startSocatPair(timeoutMs = 5000): Promise<SocatPair> {
  const socat = spawn("socat", ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<void>((resolve) => socat.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (socat.exitCode === null && socat.signalCode === null) socat.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    let log = "";
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop();
      reject(new Error(`socat: ${why}\n${log}`));
    };
    const timer = setTimeout(() => fail("no pty pair in time"), timeoutMs);
    socat.once("error", (err) => fail(err.message));
    const exitedEarly = (code: number | null): void => fail(`exited with ${code}`);
    socat.once("exit", exitedEarly);
    socat.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      // socat logs each pty when it opens it, and "starting data transfer loop" once both are wired.
      const paths = [...log.matchAll(/PTY is (\S+)/g)].map((m) => m[1]!);
      if (paths.length === 2 && log.includes("starting data transfer loop")) {
        clearTimeout(timer);
        socat.off("exit", exitedEarly);
        resolve({ paths: [paths[0]!, paths[1]!], process: socat, stop });
      }
    });
  });
}
