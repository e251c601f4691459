/**
 * Two pseudo-terminals wired back to back (what `socat pty,raw pty,raw` makes), built with
 * node-pty's openpty so the tests need no socat: bytes written to one slave path come out of
 * the other. Closing the masters hangs up both slaves, as a UART unplugged would.
 */
import { execFileSync } from "node:child_process";
import { closeSync } from "node:fs";
import { createRequire } from "node:module";
import { ReadStream as TtyStream } from "node:tty";

interface NativePty {
  open(cols: number, rows: number): { master: number; slave: number; pty: string };
}

// node-pty exports openpty only wrapped in a terminal object that reads the slave itself; the
// native call gives bare fds. Loaded the way node-pty loads it, so its build is the one used.
const nativePty = (createRequire(import.meta.url)("node-pty/lib/utils") as { loadNativeModule(name: string): { module: NativePty } }).loadNativeModule(
  "pty",
).module;

export interface PtyPair {
  paths: [string, string];
  /** Closes both masters (the slaves see a hang-up) and our held slave fds. */
  stop(): Promise<void>;
}

export function startPtyPair(): PtyPair {
  const ends = [nativePty.open(80, 24), nativePty.open(80, 24)];
  // Raw and without echo, as socat's `pty,raw,echo=0`: a peer that opens the slave without
  // setting termios itself (libmctp's demux daemon) must not get its own bytes echoed back.
  for (const e of ends) execFileSync("stty", ["-F", e.pty, "raw", "-echo"]);
  const masters = ends.map((e) => new TtyStream(e.master));
  masters[0]!.on("data", (d: Buffer) => masters[1]!.write(d));
  masters[1]!.on("data", (d: Buffer) => masters[0]!.write(d));
  // A master read fails with EIO while no slave is open; holding one open keeps the relay up
  // until the test opens its own. Errors after stop() are the hang-up itself.
  for (const m of masters) m.on("error", () => undefined);
  let stopped = false;
  return {
    paths: [ends[0]!.pty, ends[1]!.pty],
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(masters.map((m) => new Promise<void>((r) => (m.destroyed ? r() : m.once("close", () => r()).destroy()))));
      for (const e of ends) closeSync(e.slave);
    },
  };
}
