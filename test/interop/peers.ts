/**
 * OpenBMC's C peers for the interop and differential tests: built from ../shared/peers by
 * scripts/build-peers.sh into .peers/, run in their own network namespaces (the demux
 * daemon's socket name @mctp-mux is fixed, and abstract names are per namespace).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readFileSync, readlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { pollUntil } from "../../src/os/poll.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const PEERS_DIR = resolve(root, "..", "shared", "peers");
const OUT = join(root, ".peers");

/** Why the peer tests cannot run here, or null when they can. Only a missing peers folder skips. */
export const peersMissing: string | null = existsSync(join(PEERS_DIR, "libmctp"))
  ? null
  : `${PEERS_DIR} is absent: the libmctp/libpldm interop tests need OpenBMC's sources there`;

/** Builds the peers once per run when they are not there yet (CI builds them before the tests). */
export function peerBinary(name: "mctp-demux-daemon" | "pldm-harness"): string {
  const bin = join(OUT, name);
  if (!existsSync(bin)) execFileSync("bash", [join(root, "scripts", "build-peers.sh"), PEERS_DIR, OUT], { stdio: "inherit" });
  if (!existsSync(bin)) throw new Error(`scripts/build-peers.sh did not build ${bin}`);
  return bin;
}

/** A network namespace held open by a sleeping process; programs are started in it with nsenter. */
export class NetNamespace {
  private constructor(private readonly holder: ChildProcess) {}

  /** Resolves once the holder is in a namespace of its own (unshare needs root here). */
  static async start(): Promise<NetNamespace> {
    const holder = spawn("unshare", ["-n", "sleep", "infinity"], { stdio: "ignore" });
    const ns = new NetNamespace(holder);
    const ours = readlinkSync("/proc/self/ns/net");
    await pollUntil(
      () => {
        if (holder.exitCode !== null) throw new Error(`unshare -n exited (${holder.exitCode}): it needs root (or user namespaces)`);
        try {
          return readlinkSync(ns.path) !== ours ? true : undefined;
        } catch {
          return undefined;
        }
      },
      5000,
      "a network namespace from unshare -n",
    );
    return ns;
  }

  get path(): string {
    return `/proc/${this.holder.pid}/ns/net`;
  }

  /** Abstract unix socket names listening in this namespace (as /proc/net/unix shows them there). */
  abstractSockets(): string[] {
    const lines = readFileSync(`/proc/${this.holder.pid}/net/unix`, "utf8").split("\n").slice(1);
    return lines.map((l) => l.trim().split(/\s+/)[7] ?? "").filter((n) => n.startsWith("@"));
  }

  spawn(file: string, args: string[], logPath: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
    const child = spawn("nsenter", [`--net=${this.path}`, file, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
    const log = createWriteStream(logPath, { flags: "a" });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    return child;
  }

  async stop(): Promise<void> {
    await stopChild(this.holder);
  }
}

/** libmctp's mctp-demux-daemon with its serial binding on `tty`, in `ns`; resolves once it listens. */
export async function startDemux(ns: NetNamespace, eid: number, tty: string, logPath: string): Promise<ChildProcess> {
  const child = ns.spawn(peerBinary("mctp-demux-daemon"), ["-v", "-e", String(eid), "serial", tty], logPath);
  await pollUntil(
    () => {
      if (child.exitCode !== null) throw new Error(`mctp-demux-daemon exited (${child.exitCode}); see ${logPath}`);
      return ns.abstractSockets().includes("@mctp-mux") ? true : undefined;
    },
    10_000,
    "mctp-demux-daemon to listen on @mctp-mux",
  );
  return child;
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill(signal);
  const hard = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(hard);
}
