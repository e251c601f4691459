/**
 * `hostbridge host-sim`: runs the simulated host on its serial link (stdio by default,
 * or a tty path) or through libmctp's mctp-demux-daemon, with its status file, control
 * socket and VMI TLS endpoint.
 */
import { promises as fs } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { injectFaults } from "../src/link/fault-injecting-link.js";
import { pace } from "../src/link/paced-link.js";
import type { SerialLink } from "../src/link/serial-link.js";
import { openStdioLink } from "../src/link/stdio-link.js";
import { openTtyDevice } from "../src/link/tty-device-link.js";
import { createLogger, type Logger } from "../src/log.js";
import { MctpDemuxTransport } from "../src/mctp/mctp-demux-transport.js";
import { isMctpTransport } from "../src/mctp/mctp-transport.js";
import { writeFileAtomic } from "../src/os/files.js";
import { recordLink } from "../src/trace/trace-recorder.js";
import { HostMemory } from "./host-memory.js";
import { DEFAULT_HOST_SIM_SETTINGS, HostSimulator, type HostSimSettings } from "./host-simulator.js";
import { followVmiTrust, startVmiTlsServer, type VmiTlsServer, type VmiTrustFollower } from "./vmi-tls.js";

export interface HostSimRunOptions {
  tty?: string;
  /** Talk through libmctp's mctp-demux-daemon at this socket ("\0name" abstract) instead of a line. */
  demuxSocket?: string;
  stateDir?: string;
  control?: string;
  baud?: number;
  hostOff?: boolean;
  vmiTlsPort?: number;
  /** Record the line (as it is on the wire, faults included) to this pcapng or text file. */
  trace?: string;
  /** The host-memory file to create for DMA (default host-memory.bin in stateDir, else the temp dir). */
  hostMemory?: string;
  hostMemoryBytes?: number;
  settings: Partial<HostSimSettings>;
}

export async function runHostSim(opts: HostSimRunOptions): Promise<void> {
  const log = createLogger("host-sim");
  const link = opts.demuxSocket !== undefined ? openDemux(opts, log) : await openLine(opts);

  let memory: HostMemory | null = null;
  if (opts.settings.transfer && opts.settings.transfer !== "inband") {
    const path = resolve(opts.hostMemory ?? join(opts.stateDir ?? tmpdir(), opts.stateDir ? "host-memory.bin" : `host-sim-${process.pid}-memory.bin`));
    if (opts.stateDir) await fs.mkdir(opts.stateDir, { recursive: true });
    memory = await HostMemory.create(path, opts.hostMemoryBytes);
    // The daemon reaches it with --dma-region PATH.
    log.info({ hostMemory: path, bytes: memory.size, transfer: opts.settings.transfer }, "host memory for DMA created");
  }
  const sim = new HostSimulator(link, opts.settings, { log, memory: memory ?? undefined });
  let tls: VmiTlsServer | null = null;
  let trust: VmiTrustFollower | null = null;
  sim.on("root", () => trust?.update());

  const statusPath = opts.stateDir ? join(opts.stateDir, "host-sim.json") : null;
  const writeStatus = async () => {
    if (!statusPath) return;
    const status = { pid: process.pid, ...sim.stats(), vmiTls: tls ? { host: "127.0.0.1", port: tls.port, ...tls.stats } : null };
    await writeFileAtomic(statusPath, `${JSON.stringify(status, null, 2)}\n`, 0o644);
  };
  if (opts.stateDir) await fs.mkdir(opts.stateDir, { recursive: true });

  if (!opts.hostOff) await sim.powerOn();
  if (opts.vmiTlsPort !== undefined) {
    const boot = sim.ca.current ?? (await sim.ca.newRoot(0));
    tls = await startVmiTlsServer({ port: opts.vmiTlsPort, root: { certPem: boot.rootPem }, server: boot.server, logger: log });
    trust = followVmiTrust(tls, sim.ca);
    trust.update();
    log.info({ port: tls.port }, "VMI TLS endpoint listening on 127.0.0.1");
  }
  const control = opts.control ? await startControlSocket(opts.control, sim) : null;
  const statusTimer = setInterval(() => void writeStatus().catch(() => undefined), 1000);
  await writeStatus();

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(statusTimer);
    sim.close();
    await writeStatus().catch(() => undefined);
    process.stderr.write(`host-sim: stopping (${why}): ${JSON.stringify(sim.stats())}\n`);
    control?.close();
    trust?.close();
    await tls?.close();
    await link.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  // A hang-up (the daemon holding our pty went away) ends us like SIGTERM; SIGUSR1 reboots.
  process.on("SIGHUP", () => void stop("SIGHUP"));
  process.on("SIGUSR1", () => void sim.reboot());
  // A demux client reconnects by itself; a line that closes ends us.
  if (!isMctpTransport(link)) link.on("close", (reason) => void stop(`link closed: ${reason}`));
}

async function openLine(opts: HostSimRunOptions): Promise<SerialLink> {
  let link: SerialLink = opts.tty ? await openTtyDevice(opts.tty, { baud: opts.baud }) : openStdioLink();
  if (opts.trace) link = recordLink(link, opts.trace, { name: "host-sim", localEid: opts.settings.hostEid });
  const faults = opts.settings.faults;
  if (faults && (faults.corrupt > 0 || faults.drop > 0)) {
    link = injectFaults(link, { corruptRate: faults.corrupt, dropRate: faults.drop, seed: faults.seed });
  }
  if (opts.baud) link = pace(link, { baud: opts.baud });
  return link;
}

/** Line-level options mean nothing when libmctp's daemon owns the line: refused, not ignored. */
function openDemux(opts: HostSimRunOptions, log: Logger): MctpDemuxTransport {
  const faults = opts.settings.faults;
  const lineOnly = [
    opts.tty && "--tty",
    opts.trace && "--trace",
    opts.baud && "--baud",
    faults && (faults.corrupt > 0 || faults.drop > 0) && "--faults corrupt/drop",
  ].filter(Boolean);
  if (lineOnly.length)
    throw new Error(
      `host-sim: ${lineOnly.join(", ")} ${lineOnly.length > 1 ? "need" : "needs"} a serial line; with --link mctp-demux the demux daemon owns it`,
    );
  return new MctpDemuxTransport({ socket: opts.demuxSocket, localEid: opts.settings.hostEid ?? DEFAULT_HOST_SIM_SETTINGS.hostEid, log });
}

/** JSON lines: {"power":"on"|"off"|"reboot"} or {"status":true}; each answered with the status. */
async function startControlSocket(path: string, sim: HostSimulator): Promise<Server> {
  await fs.rm(path, { force: true });
  const server = createServer((sock) => {
    createInterface({ input: sock }).on("line", (line) => {
      void (async () => {
        try {
          const req = JSON.parse(line) as { power?: string; status?: boolean };
          if (req.power === "on") await sim.powerOn();
          else if (req.power === "off") sim.powerOff();
          else if (req.power === "reboot") await sim.reboot();
          else if (!req.status) throw new Error('expected {"power":"on|off|reboot"} or {"status":true}');
          sock.write(`${JSON.stringify({ ok: true, ...sim.stats() })}\n`);
        } catch (e) {
          sock.write(`${JSON.stringify({ ok: false, error: (e as Error).message })}\n`);
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return server;
}
