/**
 * The whole BMC side on one machine, as separate processes like on a real BMC: a private
 * dbus-daemon, the CA manager, and the daemon with host-sim on its pty. Used by
 * `hostbridge up` and by the end-to-end tests; each part can be stopped, killed and
 * started again on its own. Logs go to <stateDir>/logs/<part>.log.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, promises as fs } from "node:fs";
import { join } from "node:path";
import { CLI_PATH, DAEMON_NODE_FLAGS, DAEMON_PATH, SERVICE_NODE_FLAGS } from "../os/cli-path.js";
import { pollUntil } from "../os/poll.js";
import { hostSimControl, type HostSimRequest, type HostSimStatus } from "./host-sim-control.js";
import { BusConnection } from "../dbus/bus-connection.js";
import { CaManager, HostBridgeStatus, HostState } from "../dbus/names.js";
import { startPrivateBus, type PrivateBus } from "../os/dbus-daemon-process.js";
import { STOP_WITH_PARENT_ENV } from "../os/stop-with-parent.js";

export interface LocalStackOptions {
  stateDir: string;
  /** Extra `hostbridge host-sim` flags (faults, --host-off, --baud, key type...). */
  hostSimArgs?: string[];
  /** Extra `hostbridge daemon` flags. */
  daemonArgs?: string[];
  /** Serve the REST front on this loopback port (0 = any free port); no REST when absent. */
  restPort?: number;
  /** Extra `hostbridge rest` flags (--sign-timeout...). */
  restArgs?: string[];
  /** Keep CA entries in a file so they survive a CA-manager restart (default true; bmc-vmi-ca keeps them in memory). */
  persistCaEntries?: boolean;
  /** Restart parts that exit on their own (as systemd would), and the bus when it dies. */
  supervise?: boolean;
  /** Called once when supervision gives up (the bus cannot be started again, a part keeps failing). */
  onFatal?: (why: string) => void;
  /** Told what supervision does (a part restarted, the bus started again), besides the part's log. */
  onNote?: (message: string) => void;
  logLevel?: string;
}

export type Part = "ca-manager" | "daemon" | "host-state" | "rest";

export interface RestEndpoint {
  url: string;
  port: number;
  caPath: string;
}

/** The bus name each part takes once it serves (REST announces itself by its ready file). */
const SERVICE_NAMES: Record<Exclude<Part, "rest">, string> = {
  "ca-manager": CaManager.service,
  daemon: HostBridgeStatus.service,
  "host-state": HostState.service,
};

const FAILURE_BURST = 5;
const FAILURE_WINDOW_MS = 30_000;

export class LocalStack {
  readonly rootCertPath: string;
  readonly controlPath: string;
  readonly hostSimStatePath: string;
  private readonly children = new Map<Part, ChildProcess>();
  private stopping = false;
  readonly restarts: Record<Part, number> = { "ca-manager": 0, daemon: 0, "host-state": 0, rest: 0 };
  /** Times the dbus-daemon died under us and was started again with every part. */
  busRestarts = 0;
  private restEndpoint: RestEndpoint | null = null;
  private readonly recentFailures: Record<Part, number[]> = { "ca-manager": [], daemon: [], "host-state": [], rest: [] };
  private busRecovery: Promise<void> | null = null;

  private constructor(
    readonly opts: LocalStackOptions,
    private privateBus: PrivateBus,
  ) {
    this.rootCertPath = join(opts.stateDir, "RootCert");
    this.controlPath = join(opts.stateDir, "host-sim.sock");
    this.hostSimStatePath = join(opts.stateDir, "host-sim");
  }

  static async start(opts: LocalStackOptions): Promise<LocalStack> {
    await fs.mkdir(join(opts.stateDir, "logs"), { recursive: true });
    const bus = await startPrivateBus(join(opts.stateDir, "dbus"));
    const stack = new LocalStack(opts, bus);
    stack.watchBus();
    try {
      await stack.startPart("ca-manager");
      await stack.startPart("daemon");
      await stack.startPart("host-state");
      if (opts.restPort !== undefined) await stack.startPart("rest");
    } catch (e) {
      await stack.stop();
      throw e;
    }
    return stack;
  }

  get bus(): PrivateBus {
    return this.privateBus;
  }

  /**
   * Stops the dbus-daemon and starts a new one on the same socket: every part loses its
   * connection, exits for the supervisor, and is started again on the new bus.
   */
  async restartBus(downMs = 300): Promise<void> {
    const old = this.privateBus;
    this.privateBus = null as unknown as PrivateBus; // its exit is ours, not a death to recover from
    await old.stop();
    await new Promise((r) => setTimeout(r, downMs));
    this.privateBus = await startPrivateBus(join(this.opts.stateDir, "dbus"));
    this.watchBus();
  }

  /**
   * Under supervision a dbus-daemon that dies is started again on the same socket; every
   * part then loses its connection, exits for the supervisor and comes back on the new bus.
   * When it cannot be started again, onFatal says why.
   */
  private watchBus(): void {
    const bus = this.privateBus;
    void bus.exited.then(({ code, signal }) => {
      if (this.stopping || !this.opts.supervise || this.privateBus !== bus) return;
      this.busRestarts++;
      this.note("dbus", `dbus-daemon ${bus.pid} died (code ${code}, signal ${signal}); starting a new bus and every part`);
      this.busRecovery = this.recoverBus().finally(() => (this.busRecovery = null));
    });
  }

  private async recoverBus(): Promise<void> {
    try {
      this.privateBus = await startPrivateBus(join(this.opts.stateDir, "dbus"));
    } catch (e) {
      this.opts.onFatal?.(`the dbus-daemon died and could not be started again: ${(e as Error).message}`);
      return;
    }
    this.watchBus();
    // Parts that already saw the bus go are restarting on their own; the rest are told to.
    await Promise.all([...this.children.keys()].map((p) => this.stopPart(p).then(() => this.startPart(p).catch(() => undefined))));
  }

  /** One line of the supervisor's own in a part's log (dbus has its own file). */
  private note(part: Part | "dbus", message: string): void {
    this.opts.onNote?.(message);
    void fs.appendFile(
      join(this.opts.stateDir, "logs", `${part}.log`),
      `${JSON.stringify({ level: 40, time: Date.now(), name: "hostbridge-up", msg: message })}\n`,
    );
  }

  /** Without the server guid, so the address stays valid when the bus is restarted. */
  get busAddress(): string {
    return `unix:path=${this.bus.socketPath}`;
  }

  /** Where the REST front listens, once started. */
  get rest(): RestEndpoint | null {
    return this.restEndpoint;
  }

  get restReadyPath(): string {
    return join(this.opts.stateDir, "rest", "ready.json");
  }

  pid(part: Part): number | null {
    return this.children.get(part)?.pid ?? null;
  }

  /** Starts a part and waits until its bus name is owned (it is serving). */
  async startPart(part: Part): Promise<void> {
    if (this.children.has(part)) throw new Error(`${part} is already running`);
    if (this.stopping) throw new Error(`the stack is stopping; ${part} is not started`);
    const args = this.argsOf(part);
    if (part === "rest") await fs.rm(this.restReadyPath, { force: true });
    // The log file itself is the part's stderr (appended), not a pipe through us: what the part
    // starts (the daemon's host-sim) can open it again by /proc/<pid>/fd/2, and it outlives us.
    const log = openSync(join(this.opts.stateDir, "logs", `${part}.log`), "a");
    // Its own process group, so a terminal's signals reach only us and we stop the parts in
    // order; its stdin is a pipe from us, so it stops too if we die outright.
    const entry = part === "daemon" ? [...DAEMON_NODE_FLAGS, DAEMON_PATH] : [...SERVICE_NODE_FLAGS, CLI_PATH];
    const child = spawn(process.execPath, [...entry, ...args], {
      stdio: ["pipe", "ignore", log],
      detached: true,
      env: { ...process.env, HOSTBRIDGE_LOG: this.opts.logLevel ?? process.env.HOSTBRIDGE_LOG ?? "info", [STOP_WITH_PARENT_ENV]: "1" },
    });
    closeSync(log);
    this.children.set(part, child);
    child.once("exit", (code, signal) => {
      if (this.children.get(part) === child) this.children.delete(part);
      // Like systemd's Restart=on-failure: a clean exit stays down.
      if (this.stopping || !this.opts.supervise || code === 0) return;
      if (this.tooManyFailures(part)) {
        this.opts.onFatal?.(
          `${part} failed ${FAILURE_BURST} times in ${FAILURE_WINDOW_MS / 1000} s (last: code ${code}, signal ${signal}); see ${join(this.opts.stateDir, "logs", `${part}.log`)}`,
        );
        return;
      }
      this.restarts[part]++;
      this.note(part, `supervisor: ${part} exited (code ${code}, signal ${signal}); restarting in 500 ms`);
      setTimeout(() => void this.startWhenBusIsBack(part), 500).unref();
    });
    if (part === "rest") this.restEndpoint = await this.waitForRest(child);
    else await this.waitForName(SERVICE_NAMES[part], child, part);
  }

  private async startWhenBusIsBack(part: Part): Promise<void> {
    await this.busRecovery;
    if (this.stopping || this.children.has(part)) return;
    await this.startPart(part).catch(() => undefined); // a failed start exits and is counted above
  }

  /** Like systemd's StartLimitBurst: a part that keeps failing is given up on, loudly. */
  private tooManyFailures(part: Part): boolean {
    const now = Date.now();
    const recent = this.recentFailures[part].filter((t) => now - t < FAILURE_WINDOW_MS);
    recent.push(now);
    this.recentFailures[part] = recent;
    return recent.length > FAILURE_BURST;
  }

  /** Stops one part: SIGTERM (clean) or SIGKILL (crash). Resolves once it has exited. */
  async stopPart(part: Part, signal: NodeJS.Signals = "SIGTERM"): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const child = this.children.get(part);
    if (!child) return { code: null, signal: null, ms: 0 };
    this.children.delete(part);
    const t0 = Date.now();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once("exit", (code, sig) => r({ code, signal: sig })));
    child.kill(signal);
    const hard = setTimeout(() => child.kill("SIGKILL"), 5000);
    const result = await exited;
    clearTimeout(hard);
    return { ...result, ms: Date.now() - t0 };
  }

  /** One request to host-sim's control socket (see host-sim-control.ts). */
  hostControl(request: HostSimRequest, timeoutMs = 10_000): Promise<HostSimStatus> {
    return hostSimControl(this.controlPath, request, timeoutMs);
  }

  /** Stops every part, then the bus, and removes the sockets they leave. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.busRecovery;
    // Clients before the services they use, so none sees a peer vanish and warns about it.
    await Promise.all([this.stopPart("rest"), this.stopPart("host-state")]);
    await this.stopPart("daemon");
    await this.stopPart("ca-manager");
    await this.privateBus.stop();
    await fs.rm(this.controlPath, { force: true });
  }

  private argsOf(part: Part): string[] {
    const bus = ["--bus", this.busAddress];
    switch (part) {
      case "ca-manager":
        return ["ca-manager", ...bus, ...(this.opts.persistCaEntries === false ? [] : ["--state-file", join(this.opts.stateDir, "ca-entries.json")])];
      case "daemon":
        return this.daemonArgs();
      case "host-state":
        return ["host-state", ...bus, "--host-control", this.controlPath];
      case "rest":
        return [
          "rest",
          ...bus,
          "--port",
          String(this.restEndpoint?.port ?? this.opts.restPort ?? 0),
          "--state-dir",
          join(this.opts.stateDir, "rest"),
          "--root-cert",
          this.rootCertPath,
          "--ready-file",
          this.restReadyPath,
          ...(this.opts.restArgs ?? []),
        ];
    }
  }

  private waitForRest(child: ChildProcess, timeoutMs = 20_000): Promise<RestEndpoint> {
    return pollUntil(
      async () => {
        this.throwIfExited(child, "rest", "listening");
        try {
          return JSON.parse(await fs.readFile(this.restReadyPath, "utf8")) as RestEndpoint;
        } catch {
          return undefined; // not written yet
        }
      },
      timeoutMs,
      "rest to listen",
    );
  }

  private daemonArgs(): string[] {
    const hostSim = [
      process.execPath,
      CLI_PATH,
      "host-sim",
      "--control",
      this.controlPath,
      "--state-dir",
      this.hostSimStatePath,
      ...(this.opts.hostSimArgs ?? []),
    ];
    return [
      "daemon",
      "--bus",
      this.busAddress,
      "--spawn-host",
      hostSim.map(shellQuote).join(" "),
      "--root-cert",
      this.rootCertPath,
      "--spool-dir",
      join(this.opts.stateDir, "spool"),
      ...(this.opts.daemonArgs ?? []),
    ];
  }

  private async waitForName(name: string, child: ChildProcess, part: Part, timeoutMs = 15_000): Promise<void> {
    const probe = await BusConnection.connect({ address: this.busAddress, callTimeoutMs: 2000 });
    try {
      await pollUntil(
        async () => {
          this.throwIfExited(child, part, "serving");
          const [has] = await probe.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner", {
            signature: "s",
            body: [name],
          });
          return has === true ? true : undefined;
        },
        timeoutMs,
        `${part} to take ${name}`,
      );
    } finally {
      probe.close();
    }
  }

  private throwIfExited(child: ChildProcess, part: Part, before: string): void {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${part} exited (code ${child.exitCode}) before ${before}; see ${join(this.opts.stateDir, "logs", `${part}.log`)}`);
    }
  }
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
