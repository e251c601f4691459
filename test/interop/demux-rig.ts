/**
 * The BMC and the host with real libmctp between them: a pty pair is the serial line;
 * mctp-demux-daemon (EID 8) owns the BMC end in its own network namespace, and our daemon is
 * its client there. The host end is host-sim on the tty ("tty"), or host-sim as the client
 * of a second mctp-demux-daemon (EID 9) in another namespace ("demux"). The CA manager and
 * a private dbus-daemon on a path socket (reachable from every namespace) complete the BMC.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostSimControl, type HostSimRequest, type HostSimStatus } from "../../src/stack/host-sim-control.js";
import { CLI_PATH } from "../../src/os/cli-path.js";
import { startPrivateBus, type PrivateBus } from "../../src/os/dbus-daemon-process.js";
import { busctl, eventually } from "../support/dbus.js";
import { startPtyPair, type PtyPair } from "../support/link-pty-pair.js";
import { NetNamespace, startDemux, stopChild } from "./peers.js";

const M = "xyz.openbmc_project.Certs.ca.authority.Manager";
const STATUS = ["xyz.openbmc_project.PLDM.HostBridge", "/xyz/openbmc_project/pldm/hostbridge", "xyz.openbmc_project.PLDM.HostBridge.Status"] as const;

export class DemuxRig {
  readonly rootCertPath: string;
  readonly control: string;
  private demuxBmc: ChildProcess | null = null;
  private readonly others: ChildProcess[] = [];
  private daemon: ChildProcess | null = null;

  private constructor(
    readonly dir: string,
    readonly bus: PrivateBus,
    readonly line: PtyPair,
    readonly bmcNs: NetNamespace,
    readonly hostNs: NetNamespace | null,
  ) {
    this.rootCertPath = join(dir, "RootCert");
    this.control = join(dir, "host-sim.sock");
  }

  static async start(host: "tty" | "demux", daemonArgs: string[] = []): Promise<DemuxRig> {
    const dir = mkdtempSync(join(tmpdir(), "hb-demux-"));
    const bus = await startPrivateBus(join(dir, "dbus"));
    const line = startPtyPair();
    const rig = new DemuxRig(dir, bus, line, await NetNamespace.start(), host === "demux" ? await NetNamespace.start() : null);
    try {
      await rig.startBmcDemux();
      rig.others.push(rig.node("ca-manager", ["ca-manager", "--bus", rig.busAddress, "--state-file", join(dir, "ca-entries.json")]));
      await rig.startDaemon(daemonArgs);
      const sim = ["host-sim", "--control", rig.control, "--state-dir", join(dir, "host-sim"), "--response-timeout", "1000"];
      if (rig.hostNs) {
        rig.others.push(await startDemux(rig.hostNs, 9, line.paths[1], join(dir, "demux-host.log")));
        rig.others.push(rig.node("host-sim", [...sim, "--link", "mctp-demux"], rig.hostNs));
      } else {
        rig.others.push(rig.node("host-sim", [...sim, "--tty", line.paths[1]]));
      }
    } catch (e) {
      await rig.stop();
      throw e;
    }
    return rig;
  }

  get busAddress(): string {
    return `unix:path=${this.bus.socketPath}`;
  }

  /** The BMC's mctp-demux-daemon on the BMC end of the line. */
  async startBmcDemux(): Promise<void> {
    this.demuxBmc = await startDemux(this.bmcNs, 8, this.line.paths[0], join(this.dir, "demux-bmc.log"));
  }

  async killBmcDemux(): Promise<void> {
    if (this.demuxBmc) await stopChild(this.demuxBmc, "SIGKILL");
    this.demuxBmc = null;
  }

  async startDaemon(extra: string[] = []): Promise<void> {
    this.daemon = this.node(
      "daemon",
      [
        "daemon",
        "--bus",
        this.busAddress,
        "--link",
        "mctp-demux",
        "--root-cert",
        this.rootCertPath,
        "--spool-dir",
        join(this.dir, "spool"),
        "--response-timeout",
        "1000",
        ...extra,
      ],
      this.bmcNs,
    );
    const daemon = this.daemon;
    await eventually(
      async () => {
        if (daemon.exitCode !== null) throw new Error(`daemon exited (${daemon.exitCode}); see ${join(this.dir, "daemon.log")}`);
        return (await this.status("LinkState")) === "up" ? true : undefined;
      },
      15_000,
      "the daemon on the bus with its demux link up",
    );
  }

  hostControl(request: HostSimRequest): Promise<HostSimStatus> {
    return hostSimControl(this.control, request);
  }

  /** A property of our status object, or null while the daemon is not on the bus. */
  async status(prop: string): Promise<string | null> {
    const r = await busctl(this.bus, "--json=short", "get-property", ...STATUS, prop);
    return r.code === 0 ? String((JSON.parse(r.stdout) as { data: unknown }).data) : null;
  }

  async signCsr(csrPem: string): Promise<string> {
    const r = await busctl(this.bus, "call", M, "/xyz/openbmc_project/certs/ca", "xyz.openbmc_project.Certs.Authority", "SignCSR", "s", "--", csrPem);
    const m = /^o "(.+)"$/m.exec(r.stdout);
    if (r.code !== 0 || !m) throw new Error(`SignCSR failed: ${r.stderr}`);
    return m[1]!;
  }

  async entry(path: string, prop: "Status" | "ClientCertificate"): Promise<string | null> {
    const r = await busctl(this.bus, "--json=short", "get-property", M, path, "xyz.openbmc_project.Certs.Entry", prop);
    return r.code === 0 ? (JSON.parse(r.stdout) as { data: string }).data : null;
  }

  /** Entry object paths the CA manager holds. */
  async entries(): Promise<string[]> {
    const r = await busctl(this.bus, "tree", "--list", M);
    return r.stdout
      .split("\n")
      .filter((l) => /\/entry\/\d+$/.test(l.trim()))
      .map((l) => l.trim());
  }

  async waitForStatus(path: string, ms = 30_000): Promise<{ status: string; cert: string }> {
    const status = await eventually(
      async () => {
        const s = await this.entry(path, "Status");
        return s && !s.endsWith(".Pending") ? s : undefined;
      },
      ms,
      `a final Status on ${path}`,
    );
    return { status, cert: (await this.entry(path, "ClientCertificate")) ?? "" };
  }

  async waitForRoot(different?: string, ms = 20_000): Promise<string> {
    return eventually(
      () => {
        try {
          const text = readFileSync(this.rootCertPath, "utf8");
          return text && text !== different ? text : undefined;
        } catch {
          return undefined;
        }
      },
      ms,
      different ? "a new RootCert" : "RootCert",
    );
  }

  log(part: string): string {
    try {
      return readFileSync(join(this.dir, `${part}.log`), "utf8");
    } catch {
      return "";
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.others, this.daemon, this.demuxBmc].filter((c): c is ChildProcess => c !== null).map((c) => stopChild(c)));
    await Promise.all([this.bmcNs.stop(), this.hostNs?.stop(), this.line.stop(), this.bus.stop()]);
  }

  private node(part: string, args: string[], ns?: NetNamespace): ChildProcess {
    const env = { ...process.env, HOSTBRIDGE_LOG: "info" };
    const argv = ["--max-semi-space-size=1", CLI_PATH, ...args];
    if (ns) return ns.spawn(process.execPath, argv, join(this.dir, `${part}.log`), env);
    const child = spawn(process.execPath, argv, { stdio: ["ignore", "ignore", "pipe"], env });
    child.stderr.pipe(createWriteStream(join(this.dir, `${part}.log`), { flags: "a" }));
    return child;
  }
}
