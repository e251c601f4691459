/**
 * Two daemons on one BMC, active and standby, reaching one host: a private dbus-daemon,
 * the CA manager, a pty pair with host-sim on one end (`--tty`) and the daemons
 * opening the other end in turn. The test process holds the daemons' end open (never
 * reading it), so a killed daemon's close is not a hang-up that would end the pair.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, constants, createWriteStream, openSync } from "node:fs";
import { join } from "node:path";
import { BusConnection } from "../../src/dbus/bus-connection.js";
import { CaManager, HostBridgeStatus } from "../../src/dbus/names.js";
import { CLI_PATH } from "../../src/os/cli-path.js";
import { startPrivateBus, type PrivateBus } from "../../src/os/dbus-daemon-process.js";
import { hostSimControl, type HostSimStatus } from "../../src/stack/host-sim-control.js";
import { eventually } from "./dbus.js";
import { startPtyPair, type PtyPair } from "./link-pty-pair.js";
import { scratchDir } from "./openssl.js";

export interface StandbyPairOptions {
  readonly daemonArgs?: readonly string[];
  readonly hostSimArgs?: readonly string[];
}

/** A name change seen on the bus: who owns our name from when. */
export interface OwnerChange {
  readonly owner: string | null;
  readonly atMs: number;
}

export class StandbyPair {
  readonly rootCertPath: string;
  readonly spoolDir: string;
  readonly controlPath: string;
  /** Every owner of xyz.openbmc_project.PLDM.HostBridge in order, as the test's connection saw it. */
  readonly owners: OwnerChange[] = [];
  private readonly daemons = new Map<string, ChildProcess>();
  private readonly others: ChildProcess[] = [];
  private holdFd: number | null = null;
  private ptys: PtyPair | null = null;
  private watcher: BusConnection | null = null;

  private constructor(
    readonly dir: string,
    readonly bus: PrivateBus,
    private readonly opts: StandbyPairOptions,
  ) {
    this.rootCertPath = join(dir, "RootCert");
    this.spoolDir = join(dir, "spool");
    this.controlPath = join(dir, "host-sim.sock");
  }

  static async start(opts: StandbyPairOptions = {}): Promise<StandbyPair> {
    const dir = scratchDir("hb-standby-");
    const pair = new StandbyPair(dir, await startPrivateBus(join(dir, "dbus")), opts);
    try {
      pair.watcher = await BusConnection.connect({ address: pair.bus.address, callTimeoutMs: 10_000 });
      await pair.watcher.watchName(HostBridgeStatus.service, (owner) => pair.owners.push({ owner, atMs: Date.now() }));
      pair.others.push(pair.spawn("ca-manager", ["ca-manager", "--bus", pair.bus.address]));
      await eventually(async () => ((await pair.watcher!.watchName(CaManager.service)) ? true : undefined), 10_000, "the CA manager");
      pair.ptys = startPtyPair();
      pair.holdFd = openSync(pair.ptys.paths[1], constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
      const hostArgs = [
        "host-sim",
        "--tty",
        pair.ptys.paths[0],
        "--control",
        pair.controlPath,
        "--state-dir",
        join(dir, "host-sim"),
        ...(opts.hostSimArgs ?? []),
      ];
      pair.others.push(pair.spawn("host-sim", hostArgs));
      await hostSimControl(pair.controlPath, { status: true });
    } catch (e) {
      await pair.stop();
      throw e;
    }
    return pair;
  }

  get busAddress(): string {
    return this.bus.address;
  }

  /** Starts `hostbridge daemon --standby` as `name` (it takes over when first in line), or a plain daemon. */
  startDaemon(name: string, standby = true): ChildProcess {
    const args = [
      "daemon",
      ...(standby ? ["--standby"] : []),
      "--bus",
      this.bus.address,
      "--tty",
      this.ptys!.paths[1],
      "--root-cert",
      this.rootCertPath,
      "--spool-dir",
      this.spoolDir,
    ];
    const child = this.spawn(name, [...args, ...(this.opts.daemonArgs ?? [])]);
    this.daemons.set(name, child);
    return child;
  }

  /** The owner and the queue behind it (ListQueuedOwners). */
  async queuedNames(): Promise<string[]> {
    const [names] = await this.watcher!.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "ListQueuedOwners", {
      signature: "s",
      body: [HostBridgeStatus.service],
    });
    return names as string[];
  }

  /** The Role property a connection's status object reports. */
  async roleOf(uniqueName: string): Promise<string> {
    return String(await this.watcher!.getProperty(uniqueName, HostBridgeStatus.path, HostBridgeStatus.iface, "Role"));
  }

  currentOwner(): string | null {
    return this.watcher!.ownerOf(HostBridgeStatus.service);
  }

  /** Sends `signal` (SIGKILL by default); resolves with when it was sent, once the process is gone. */
  async kill(name: string, signal: NodeJS.Signals = "SIGKILL"): Promise<number> {
    const child = this.daemons.get(name);
    if (!child) throw new Error(`no daemon ${name}`);
    this.daemons.delete(name);
    const gone = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", () => r())));
    const at = Date.now();
    child.kill(signal);
    await gone;
    return at;
  }

  hostControl(request: Parameters<typeof hostSimControl>[1]): Promise<HostSimStatus> {
    return hostSimControl(this.controlPath, request);
  }

  async stop(): Promise<void> {
    const all = [...this.daemons.values(), ...this.others];
    await Promise.all(
      all.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once("exit", () => resolve());
            c.kill("SIGTERM");
            setTimeout(() => c.kill("SIGKILL"), 3000).unref();
          }),
      ),
    );
    this.watcher?.close();
    if (this.holdFd !== null) closeSync(this.holdFd);
    await this.ptys?.stop();
    await this.bus.stop();
  }

  private spawn(name: string, args: string[]): ChildProcess {
    const log = createWriteStream(join(this.dir, `${name}.log`), { flags: "a" });
    const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, HOSTBRIDGE_LOG: "info" } });
    child.stderr.pipe(log);
    return child;
  }
}
