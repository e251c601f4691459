import { basename } from "node:path";
import { constants as osConstants } from "node:os";
import { spawn as spawnPty, type IPty } from "node-pty";
import { systemClock, type Clock, type Timer } from "../os/clock.js";
import { BaseLink, type SerialLink, type SerialLinkEvents } from "./serial-link.js";
import { RAW_STTY_SHELL_WORDS } from "./termios.js";

export interface PtyChildOptions {
  file: string;
  /** Names the child in `description`; defaults to the file's base name. */
  name?: string;
  args?: readonly string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  clock?: Clock;
  /** Bound on the child reporting its tty raw; a child that never starts is an error, not a hang. */
  readyTimeoutMs?: number;
  /** How long close() waits after SIGTERM before SIGKILL. */
  killAfterMs?: number;
  /**
   * Where the child's stderr goes (appended): never the pty, where log lines would be bytes on
   * the serial link. Default: our own stderr; null, or a path that cannot be opened: discarded.
   */
  stderr?: string | null;
}

export interface PtyChildLinkEvents extends SerialLinkEvents {
  /** The child is gone (and reaped); `close` follows. */
  exit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export interface PtyChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class PtyChildError extends Error {
  constructor(
    readonly reason: "spawn-failed" | "not-ready",
    detail: string,
  ) {
    super(detail);
    this.name = "PtyChildError";
  }
}

/*
 * Why a shell wrapper and a ready marker. A fresh pty is cooked: it echoes, turns 0x03 into
 * SIGINT, swallows 0x04/0x11/0x13/0x7f, and maps \n to \r\n on output. The child's tty must be
 * raw before either side sends a byte. Running stty in the child (`sh -c 'stty ...; exec prog'`)
 * orders it before the program's first write with no race, and works for any program. Our own
 * writes could still overtake it, so the wrapper prints READY_MARKER once the tty is raw, and
 * bytes written before that are held back. Running stty from here on the pts path instead would
 * race the exec and could not be sequenced against the child's first write.
 */
const READY_MARKER = Buffer.from("\x02pty-raw\x03", "latin1");
const STDERR_ENV = "HOSTBRIDGE_PTY_CHILD_STDERR";
const WRAPPER =
  `stty ${RAW_STTY_SHELL_WORDS} || exit 126; ` +
  `if (exec 2>>"$${STDERR_ENV}") 2>/dev/null; then exec 2>>"$${STDERR_ENV}"; else exec 2>/dev/null; fi; ` +
  `printf '\\002pty-raw\\003'; exec "$0" "$@"`;
/** Our stderr, whatever it is (a pipe, a file, a terminal), opened again by the child's shell. */
const OWN_STDERR = `/proc/${process.pid}/fd/2`;
const MAX_PREAMBLE_BYTES = 4096;
const DEFAULT_READY_TIMEOUT_MS = 5000;
const DEFAULT_KILL_AFTER_MS = 2000;

/** A program on a raw pty; the link is its terminal. */
export class PtyChildLink extends BaseLink<PtyChildLinkEvents> implements SerialLink {
  readonly description: string;
  readonly pid: number;
  /** The child's side of the pty, e.g. /dev/pts/4 (for logs and traces). */
  readonly ptsPath: string | undefined;
  private readonly pty: IPty;
  private readonly clock: Clock;
  private readonly killAfterMs: number;
  private handshake: "waiting" | "ready" | "failed" = "waiting";
  private preamble = Buffer.alloc(0);
  private held: Buffer[] = [];
  private readyTimer: Timer | undefined;
  private exitInfo: PtyChildExit | undefined;
  private readonly exited: Promise<void>;

  constructor(options: PtyChildOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.killAfterMs = options.killAfterMs ?? DEFAULT_KILL_AFTER_MS;
    try {
      this.pty = spawnPty("/bin/sh", ["-c", WRAPPER, options.file, ...(options.args ?? [])], {
        encoding: null, // Buffers both ways: a string codec would mangle invalid UTF-8
        cwd: options.cwd,
        env: { ...(options.env ?? process.env), [STDERR_ENV]: options.stderr === undefined ? OWN_STDERR : (options.stderr ?? "") },
      });
    } catch (err) {
      throw new PtyChildError("spawn-failed", `${options.file}: ${(err as Error).message}`);
    }
    this.pid = this.pty.pid;
    // node-pty knows the slave path but leaves it out of its typings.
    this.ptsPath = (this.pty as IPty & { ptsName?: string }).ptsName;
    this.description = `pty child ${options.name ?? basename(options.file)} pid ${this.pid}`;

    // With encoding null node-pty hands out Buffers; its typings still say string.
    this.pty.onData((data) => this.fromPty(data as unknown as Buffer));
    this.exited = new Promise((resolve) => {
      this.pty.onExit(({ exitCode, signal }) => {
        this.childExited(exitCode, signal);
        resolve();
      });
    });
    this.readyTimer = this.clock.after(options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, () =>
      this.notReady("no ready marker from the child's tty wrapper in time"),
    );
  }

  /** How the child ended, once it has. */
  get exitStatus(): PtyChildExit | undefined {
    return this.exitInfo;
  }

  /** Signals the child (SIGTERM by default); a child that already exited is ignored. */
  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    if (this.exitInfo) return;
    try {
      process.kill(this.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
  }

  protected transmit(bytes: Uint8Array): void {
    if (this.handshake === "waiting") this.held.push(Buffer.from(bytes));
    else this.pty.write(Buffer.from(bytes));
  }

  /** SIGTERM, then SIGKILL after a bound; resolves once the child has exited and been reaped. */
  protected async release(): Promise<void> {
    this.readyTimer?.cancel();
    this.dropHeld();
    if (this.exitInfo) return;
    this.kill("SIGTERM");
    const escalate = this.clock.after(this.killAfterMs, () => this.kill("SIGKILL"));
    await this.exited;
    escalate.cancel();
  }

  private fromPty(data: Buffer): void {
    if (this.handshake === "ready") {
      this.received(data);
      return;
    }
    if (this.handshake === "failed") return;
    const seen = Buffer.concat([this.preamble, data]);
    const at = seen.indexOf(READY_MARKER);
    if (at < 0) {
      this.preamble = seen;
      if (seen.length > MAX_PREAMBLE_BYTES) this.notReady("child wrote too much before its tty was raw");
      return;
    }
    // Anything before the marker is the shell's, written while the tty was still cooked.
    this.handshake = "ready";
    this.preamble = Buffer.alloc(0);
    this.readyTimer?.cancel();
    for (const chunk of this.held) this.pty.write(chunk);
    this.held = [];
    this.received(seen.subarray(at + READY_MARKER.length));
  }

  /** Bytes held for a tty that will never be raw now: counted, not sent. */
  private dropHeld(): void {
    this.countDropped(this.held.reduce((n, chunk) => n + chunk.length, 0));
    this.held = [];
  }

  private notReady(detail: string): void {
    if (this.handshake !== "waiting") return;
    this.handshake = "failed";
    const said = this.preamble.toString("latin1").trim();
    this.failed(new PtyChildError("not-ready", said ? `${detail}: ${said}` : detail));
    if (!this.exitInfo) void this.close();
  }

  private childExited(exitCode: number, signalNumber: number | undefined): void {
    const signal = signalName(signalNumber);
    this.exitInfo = { code: signal ? null : exitCode, signal };
    this.readyTimer?.cancel();
    this.notReady(`child exited (code ${exitCode}) before its tty was raw`);
    this.dropHeld();
    this.emit("exit", this.exitInfo.code, signal);
    this.closed(signal ? `child killed by ${signal}` : `child exited with code ${exitCode}`);
  }
}

function signalName(n: number | undefined): NodeJS.Signals | null {
  if (!n) return null;
  const entry = Object.entries(osConstants.signals).find(([, value]) => value === n);
  return entry ? (entry[0] as NodeJS.Signals) : null;
}

/** Spawns file on a raw pty; bytes written before the tty is raw are held, not lost. */
export function spawnPtyChild(options: PtyChildOptions): PtyChildLink {
  return new PtyChildLink(options);
}
