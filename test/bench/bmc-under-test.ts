/**
 * The BMC side the end-to-end figures are measured on, behind one swappable function.
 * Today: bmc-child.ts in a child process (the daemon's `createBmcEngine` wiring, no D-Bus)
 * with `hostbridge host-sim` on a pty. To measure the D-Bus daemon instead, replace
 * `startBmcUnderTest` with one that starts dbus-daemon, `hostbridge daemon` and host-sim,
 * files CSRs through the CA manager and waits for Status=Complete; nothing else changes.
 */
import { fork, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BmcStats, ChildConfig, FromChild, ToChild } from "./bmc-child.js";

export interface BmcUnderTest {
  /** Which path is measured, for the report. */
  readonly path: string;
  /** Files one CSR (the same one every time) under a new id; resolves when its entry is Complete. */
  sign(id: number): Promise<void>;
  /** The BMC process's memory (after a GC) and the serial bytes seen so far, both directions. */
  stats(): Promise<BmcStats>;
  close(): Promise<void>;
}

export interface BmcOptions {
  csrPem: string;
  /** Pace both ends of the line at this speed; unpaced when absent. */
  baud?: number;
  /** Bound on host-sim's boot and root push. */
  readyTimeoutMs?: number;
}

const here = dirname(fileURLToPath(import.meta.url));

export const MEASURED_PATH =
  "BMC side = `createBmcEngine` (the daemon's engine, file I/O and bridge, without D-Bus) in a child process, on a real pty to `hostbridge host-sim`";

export async function startBmcUnderTest(opts: BmcOptions): Promise<BmcUnderTest> {
  const config: ChildConfig = { csrPem: opts.csrPem, baud: opts.baud };
  const child: ChildProcess = fork(join(here, "bmc-child.js"), [JSON.stringify(config)], {
    // A 1 MB young generation: left to grow, V8 widens it under steady load and RSS climbs ~20 % with a flat heap.
    execArgv: ["--expose-gc", "--max-semi-space-size=1"],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let statsWaiter: ((s: BmcStats) => void) | null = null;
  let exited: Error | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("BMC child: no root push from host-sim in time")), opts.readyTimeoutMs ?? 20_000);
    child.on("message", (m: FromChild) => {
      if (m.op === "ready") {
        clearTimeout(timer);
        resolve();
      } else if (m.op === "done") {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.status === "Complete") p?.resolve();
        else p?.reject(new Error(`entry ${m.id}: ${m.status}`));
      } else if (m.op === "stats") {
        statsWaiter?.(m);
        statsWaiter = null;
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      exited = new Error(`BMC child exited (${signal ?? code})`);
      reject(exited);
      for (const p of pending.values()) p.reject(exited);
      pending.clear();
    });
  });
  const post = (m: ToChild) => child.send(m);
  await ready;
  return {
    path: MEASURED_PATH,
    sign(id) {
      if (exited) return Promise.reject(exited);
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post({ op: "sign", id });
      });
    },
    stats() {
      return new Promise((resolve) => {
        statsWaiter = resolve;
        post({ op: "stats" });
      });
    },
    async close() {
      if (exited) return;
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      post({ op: "stop" });
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      await gone;
      clearTimeout(kill);
    },
  };
}
