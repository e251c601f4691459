/**
 * `hostbridge up` (what `npm start` runs): the whole exchange on this machine, on
 * loopback: a private dbus-daemon, the CA manager, the daemon with host-sim on its pty,
 * host power on D-Bus and the REST front. Writes <state-dir>/up.json when ready and
 * prints lines to paste; Ctrl-C, SIGTERM or a hang-up stops every part. One up per state
 * directory (an OS lock); a dbus-daemon that dies is started again with every part.
 */
import { Option, type Command } from "commander";
import { promises as fs } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { pollUntil } from "../os/poll.js";
import { rotateFile } from "../os/rotate-file.js";
import { lockStateDir, StateDirLockedError } from "../os/state-dir-lock.js";
import { DEFAULT_USER } from "../rest/index.js";
import { LocalStack } from "../stack/local-stack.js";
import { intOption, portOption } from "./options.js";

/** Exit code when another up holds the state directory (EX_TEMPFAIL is the supervisor's; EX_CANTCREAT). */
const EXIT_LOCKED = 73;
/** Traces of earlier runs kept beside link.pcapng: link.1.pcapng (the last) to link.3.pcapng. */
const KEPT_TRACES = 3;

interface UpFlags {
  stateDir: string;
  restPort: number;
  vmiTlsPort: number;
  hostOff: boolean;
  baud?: number;
  faults?: string;
  signTimeout: number;
  key: string;
  trace: boolean;
  logLevel: string;
  logFormat?: "json" | "pretty";
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "pldm-hostbridge");
}

export function registerUp(program: Command): void {
  program
    .command("up")
    .description("run the whole stack locally: private D-Bus, CA manager, daemon, host-sim on a pty, host power, REST on loopback")
    .option("--state-dir <dir>", "where state, logs, RootCert and up.json go", defaultStateDir())
    .option("--rest-port <port>", "HTTPS port on 127.0.0.1 (0 = any free port)", portOption, 2443)
    .option("--vmi-tls-port <port>", "the simulated VMI's mutual-TLS port on 127.0.0.1 (0 = any free port)", portOption, 2444)
    .option("--host-off", "start with the host powered off", false)
    .option("--baud <bps>", "pace the serial line to this speed", intOption(300, 100_000_000))
    .option("--faults <list>", "host-sim faults, e.g. corrupt=0.01,drop=0.01,notready=0.1,sign-delay=200")
    .option("--sign-timeout <ms>", "how long SignCSR waits for the host", intOption(100, 600_000), 30_000)
    .addOption(new Option("--key <kind>", "VMI root key type").choices(["rsa2048", "p256"]).default("rsa2048"))
    .option("--no-trace", "do not record the serial link")
    .option("--log-level <level>", "log level of the parts", "info")
    .addOption(new Option("--log-format <format>", "how the parts write logs/<part>.log (default json: they are files)").choices(["json", "pretty"]))
    .action(async (f: UpFlags) => {
      const stateDir = resolve(f.stateDir);
      if (f.logFormat) process.env.HOSTBRIDGE_LOG_FORMAT = f.logFormat; // the parts inherit it
      // Before anything in the directory is touched: a second up on it would take over the bus socket.
      const lock = await lockStateDir(stateDir).catch((e: unknown) => {
        if (!(e instanceof StateDirLockedError)) throw e;
        process.stderr.write(`hostbridge up: ${e.message}\n`);
        process.exit(EXIT_LOCKED);
      });
      const tracePath = f.trace ? join(stateDir, "link.pcapng") : null;
      if (tracePath) await rotateFile(tracePath, KEPT_TRACES);
      const hostSimArgs = ["--vmi-tls-port", String(f.vmiTlsPort), "--key", f.key];
      if (f.hostOff) hostSimArgs.push("--host-off");
      if (f.baud) hostSimArgs.push("--baud", String(f.baud));
      if (f.faults) hostSimArgs.push("--faults", f.faults, ...noisyLineTiming(f.baud));
      const daemonArgs = tracePath ? ["--trace", tracePath] : [];
      if (f.baud) daemonArgs.push("--baud", String(f.baud));
      process.stderr.write(`hostbridge up: starting in ${stateDir} ...\n`);
      const upJson = join(stateDir, "up.json");
      let stopping = false;
      // A signal while starting stops what has started once the start is over.
      let starting: Promise<LocalStack | null> = Promise.resolve(null);
      const stop = (why: string, code: number) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`\nhostbridge up: stopping (${why}) ...\n`);
        void starting
          .then((stack) => stack?.stop())
          .then(() => fs.rm(upJson, { force: true }))
          .then(() => lock.release())
          .finally(() => process.exit(code));
      };
      // A closed terminal (SIGHUP) stops the stack like Ctrl-C does; the parts are in their own process groups.
      for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(signal, 0));
      const onFatal = (why: string) => stop(`cannot go on: ${why}`, 1);
      starting = LocalStack.start({
        stateDir,
        hostSimArgs,
        daemonArgs,
        restPort: f.restPort,
        restArgs: ["--sign-timeout", String(f.signTimeout)],
        supervise: true,
        onFatal,
        onNote: (message) => process.stderr.write(`hostbridge up: ${message}\n`),
        logLevel: f.logLevel,
      }).catch((e: unknown) => {
        process.stderr.write(`hostbridge up: could not start: ${(e as Error).message}\n`);
        return lock.release().then(() => process.exit(1));
      });
      const stack = await starting;
      if (stopping || !stack) return;

      const vmi = await vmiTlsPort(stack, f.vmiTlsPort, f.hostOff);
      const rest = stack.rest!;
      const up = {
        restUrl: rest.url,
        restCaPath: rest.caPath,
        username: DEFAULT_USER.username,
        password: DEFAULT_USER.password,
        busAddress: stack.busAddress,
        vmiTlsHost: "127.0.0.1",
        vmiTlsPort: vmi,
        rootCertPath: stack.rootCertPath,
        tracePath,
        logDir: join(stateDir, "logs"),
        pid: process.pid,
      };
      await fs.writeFile(upJson, `${JSON.stringify(up, null, 2)}\n`);
      process.stdout.write(howTo(up, stateDir));
    });
}

/**
 * On a line with injected faults, each lost request costs host-sim a response time-out; the
 * 2 s default (pldmd's) turns a few hundred lost tries into minutes. A host on a bad line
 * waits about one round trip (here: a 2 KB frame each way at the line's speed, plus 150 ms),
 * tries each request twice and gives a chunk many tries, shrinking it (src/files/adaptive-chunk.ts).
 */
function noisyLineTiming(baud: number | undefined): string[] {
  const frameMs = baud ? Math.ceil((2 * 2048 * 10 * 1000) / baud) : 0;
  return ["--response-timeout", String(150 + frameMs), "--retries", "1", "--chunk-retries", "100"];
}

/** host-sim picks or takes the VMI port at boot; its status file tells which. */
async function vmiTlsPort(stack: LocalStack, asked: number, hostOff: boolean): Promise<number | null> {
  if (asked !== 0) return asked;
  const statusFile = join(stack.hostSimStatePath, "host-sim.json");
  const port = async () => {
    try {
      const status = JSON.parse(await fs.readFile(statusFile, "utf8")) as { vmiTls?: { port: number } | null };
      return status.vmiTls?.port || undefined;
    } catch {
      return undefined; // not written yet
    }
  };
  // A host that starts off serves no VMI port yet: one look, no wait.
  return pollUntil(port, hostOff ? 0 : 10_000, "host-sim's VMI TLS port", 100).catch(() => null);
}

function howTo(
  up: { restUrl: string; restCaPath: string; username: string; password: string; busAddress: string; vmiTlsPort: number | null; tracePath: string | null },
  stateDir: string,
): string {
  const cli = `node ${process.argv[1]}`;
  const auth = `${up.username}:${up.password}`;
  return `
pldm-hostbridge is up. State, logs and up.json: ${stateDir}

Enroll an HMC (key, CSR, SignCSR, root, checks) and talk mutual TLS to the VMI:
  ${cli} hmc enroll --url ${up.restUrl} --user ${up.username} --password ${up.password} --ca-file ${up.restCaPath} --out ./hmc
  ${cli} hmc connect --vmi 127.0.0.1:${up.vmiTlsPort ?? "<port when the host is on>"} --dir ./hmc

Or by hand with openssl and curl:
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout hmc-key.pem -subj /CN=hmc -out hmc.csr
  curl -sS --cacert ${up.restCaPath} -u ${auth} -H 'Content-Type: application/json' \\
    --data "{\\"CsrString\\":\\"$(awk '{printf "%s\\\\n", $0}' hmc.csr)\\"}" ${up.restUrl}/ibm/v1/Host/Actions/SignCSR
  curl -sS --cacert ${up.restCaPath} -u ${auth} ${up.restUrl}/ibm/v1/Host/Certificate/root

On D-Bus:
  busctl --address=${up.busAddress} tree xyz.openbmc_project.Certs.ca.authority.Manager
  busctl --address=${up.busAddress} introspect xyz.openbmc_project.PLDM.HostBridge /xyz/openbmc_project/pldm/hostbridge
  busctl --address=${up.busAddress} set-property xyz.openbmc_project.State.Host /xyz/openbmc_project/state/host0 \\
    xyz.openbmc_project.State.Host RequestedHostTransition s xyz.openbmc_project.State.Host.Transition.Reboot
${up.tracePath ? `\nThe serial link is recorded: ${cli} decode ${up.tracePath} --output text\n` : ""}
Ctrl-C stops everything.
`;
}
