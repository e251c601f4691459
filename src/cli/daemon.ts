/** `hostbridge daemon` and `hostbridge ca-manager`: the BMC-side services. */
import { resolve } from "node:path";
import type { Command } from "commander";
import { BusConnection } from "../dbus/bus-connection.js";
import { CaManagerService } from "../dbus/ca-manager.js";
import { checkLayer, resolveSettings, settingsFromEnv, settingsFromFile, type DaemonSettingsLayer } from "../daemon/daemon-settings.js";
import { startDaemon } from "../daemon/host-bridge-daemon.js";
import { createLogger } from "../log.js";
import { LINK_OPTION_HELP, parseLinkOption, type DemuxLinkSpec } from "./link-option.js";
import { eidOption, intOption } from "./options.js";
import { supervise } from "./supervise.js";

interface DaemonFlags {
  config?: string;
  bus?: string;
  tty?: string;
  baud?: number;
  spawnHost?: string;
  stdio?: boolean;
  link?: DemuxLinkSpec;
  localEid?: number;
  hostEid?: number;
  rootCert?: string;
  spoolDir?: string;
  responseTimeout?: number;
  retries?: number;
  dbusTimeout?: number;
  certWait?: number;
  trace?: string;
  dmaRegion?: string;
  standby?: boolean;
  hook: string[];
  hookTimeout?: number;
  hookFailOpen: string[];
  keyPolicy?: string;
  rootAllowlist?: string;
  rootAllowlistChecksum?: string;
}

/** The attestation flags as the `attestation` setting (they replace a config file's). */
function attestationFlags(f: DaemonFlags): Record<string, unknown> | undefined {
  if (f.hook.length === 0 && !f.keyPolicy && !f.rootAllowlist && !f.rootAllowlistChecksum) return undefined;
  const hooks: Record<string, Record<string, unknown>> = {};
  for (const h of f.hook) {
    const [point, program] = [h.slice(0, h.indexOf("=")), h.slice(h.indexOf("=") + 1)];
    hooks[point] = { command: [program], timeoutMs: f.hookTimeout, failOpen: f.hookFailOpen.includes(point) };
  }
  const keyPolicy = f.keyPolicy
    ? Object.fromEntries(f.keyPolicy.split(",").map((p): [string, number] => [p.split(":")[0] ?? "", Number(p.split(":")[1])]))
    : undefined;
  const rootAllowlist = f.rootAllowlist || f.rootAllowlistChecksum ? { file: f.rootAllowlist, checksumFile: f.rootAllowlistChecksum } : undefined;
  return { hooks, keyPolicy, rootAllowlist };
}

/** Settings by the flag that sets them, so a refusal names the flag. */
const FLAG_NAMES: Readonly<Record<string, string>> = {
  bus: "--bus",
  "link.path": "--tty",
  "link.command": "--spawn-host",
  "link.baud": "--baud",
  localEid: "--local-eid",
  hostEid: "--host-eid",
  rootCertPath: "--root-cert",
  spoolDir: "--spool-dir",
  responseTimeoutMs: "--response-timeout",
  retries: "--retries",
  dbusTimeoutMs: "--dbus-timeout",
  "bridge.certWaitMs": "--cert-wait",
  trace: "--trace",
  standby: "--standby",
  dmaRegion: "--dma-region",
  "link.socket": "--link",
};

function flagsToSettings(f: DaemonFlags): DaemonSettingsLayer {
  const link = f.tty
    ? { kind: "tty" as const, path: f.tty, baud: f.baud }
    : f.spawnHost
      ? { kind: "spawn" as const, command: f.spawnHost, baud: f.baud }
      : f.stdio
        ? { kind: "stdio" as const, baud: f.baud }
        : f.link;
  return checkLayer(
    {
      bus: f.bus,
      link,
      localEid: f.localEid,
      hostEid: f.hostEid,
      rootCertPath: f.rootCert,
      spoolDir: f.spoolDir,
      responseTimeoutMs: f.responseTimeout,
      retries: f.retries,
      dbusTimeoutMs: f.dbusTimeout,
      bridge: f.certWait ? { certWaitMs: f.certWait } : undefined,
      trace: f.trace,
      dmaRegion: f.dmaRegion ? resolve(f.dmaRegion) : undefined,
      standby: f.standby,
      attestation: attestationFlags(f),
    },
    { source: "flags", names: FLAG_NAMES },
  );
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerDaemon(program: Command): void {
  program
    .command("daemon")
    .description("carry CA-manager CSR entries to the host over PLDM and write results back; keep RootCert fresh")
    .option("--config <file>", "JSON settings file (keys as in docs/daemon.md)")
    .option("--bus <address>", 'D-Bus: "system", "session" or an address such as unix:path=/run/x (default system)')
    .option("--tty <path>", "serial device to the host")
    .option("--baud <bps>", "line speed: sets a --tty device, paces a pty or stdio link", intOption(50, 4_000_000))
    .option("--spawn-host <command>", "run the host (e.g. hostbridge host-sim) on a pty as our link")
    .option("--stdio", "use stdin/stdout as the link")
    .option("--link <kind>", LINK_OPTION_HELP, parseLinkOption)
    .option("--local-eid <eid>", "our MCTP EID (default 8)", eidOption)
    .option("--host-eid <eid>", "the host's MCTP EID (default 9)", eidOption)
    .option("--root-cert <path>", "root certificate file (default /var/lib/bmcweb/RootCert)")
    .option("--spool-dir <dir>", "our state directory (default /var/lib/pldm-hostbridge)")
    .option("--response-timeout <ms>", "PLDM response time-out (default 2000)", intOption(10, 60_000))
    .option("--retries <n>", "PLDM retries (default 2)", intOption(0, 10))
    .option("--dbus-timeout <ms>", "bound on each D-Bus call (default 5000)", intOption(100, 120_000))
    .option("--cert-wait <ms>", "announce a CSR again when no certificate came this long after (default 60000)", intOption(100, 3_600_000))
    .option("--trace <file>", "record the link (.pcapng or a text log)")
    .option("--dma-region <file>", "host memory for DMA transfers: the file host-sim --host-memory names (default none: DMA answers ERROR)")
    .option("--standby", "queue for the bus name behind an active daemon; open the link and take over when it goes")
    .option("--hook <point=program>", "attestation hook: pre-announce|pre-deliver|pre-root=/abs/program (repeatable; argv lists via --config)", collect, [])
    .option("--hook-timeout <ms>", "bound on each hook run (default 5000)", intOption(10, 600_000))
    .option("--hook-fail-open <point>", "allow when this point's hook errs or times out (default: deny) (repeatable)", collect, [])
    .option("--key-policy <list>", "allowed key types and minimum sizes for CSRs and certificates, e.g. RSA:2048,EC:256")
    .option("--root-allowlist <file>", "SHA-256 fingerprints of roots allowed to replace RootCert")
    .option("--root-allowlist-checksum <file>", "sha256sum of the allowlist file, checked before each use")
    .action(async (f: DaemonFlags) => {
      const log = createLogger("hostbridge-daemon");
      const settings = resolveSettings(f.config ? settingsFromFile(f.config) : {}, settingsFromEnv(process.env), flagsToSettings(f));
      const d = await startDaemon(settings, log);
      supervise(log, () => d.stop(), d.fatal);
    });

  program
    .command("ca-manager")
    .description("serve xyz.openbmc_project.Certs.ca.authority.Manager (bmc-vmi-ca compatible) for tests and the local stack")
    .option("--bus <address>", 'D-Bus: "system", "session" or an address', "session")
    .option("--state-file <file>", "keep entries across restarts in this JSON file")
    .option("--settled-retention <ms>", "delete an entry this long after it settled (default 600000)", intOption(100, 2 ** 31 - 1))
    .option("--pending-retention <ms>", "delete a Pending entry this long after it was made (default 3600000)", intOption(100, 2 ** 31 - 1))
    .action(async (f: { bus: string; stateFile?: string; settledRetention?: number; pendingRetention?: number }) => {
      const log = createLogger("hostbridge-ca-manager");
      const bus = await BusConnection.connect({ address: f.bus, log });
      const manager = await CaManagerService.start(bus, {
        statePath: f.stateFile,
        log,
        settledRetentionMs: f.settledRetention,
        pendingRetentionMs: f.pendingRetention,
      });
      log.info({ bus: f.bus }, "CA manager running");
      const fatal = new Promise<string>((r) => bus.once("disconnected", r));
      supervise(log, async () => (manager.close(), bus.close()), fatal);
    });
}
