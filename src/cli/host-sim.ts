/** `hostbridge host-sim`: the simulated PHYP/VMI CA host. */
import { InvalidArgumentError, Option, type Command } from "commander";
import { parseFaults } from "../../host-sim/faults.js";
import type { TransferMode } from "../../host-sim/host-memory.js";
import { DEFAULT_HOST_SIM_SETTINGS, type BadCsrSignal } from "../../host-sim/host-simulator.js";
import { runHostSim } from "../../host-sim/main.js";
import { DEFAULT_VMI_CA_SETTINGS, parseRootGrace, type RootGrace } from "../../host-sim/vmi-ca.js";
import type { KeyPairKind } from "../x509/index.js";
import { LINK_OPTION_HELP, parseLinkOption, type DemuxLinkSpec } from "./link-option.js";
import { eidOption, intOption, portOption } from "./options.js";

interface HostSimFlags {
  tty?: string;
  link?: DemuxLinkSpec;
  stateDir?: string;
  control?: string;
  hostEid: number;
  bmcEid: number;
  key: KeyPairKind;
  readChunk: number;
  writeChunk: number;
  badCsr: BadCsrSignal;
  withMetadata: boolean;
  faults?: string;
  baud?: number;
  hostOff: boolean;
  vmiTlsPort?: number;
  validityDays: number;
  rootGrace?: RootGrace;
  responseTimeout: number;
  retries: number;
  chunkRetries: number;
  trace?: string;
  transfer: TransferMode;
  hostMemory?: string;
  hostMemorySize?: number;
}

function cliRootGrace(value: string): RootGrace {
  try {
    return parseRootGrace(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

export function registerHostSim(program: Command): void {
  program
    .command("host-sim")
    .description("run the simulated host (VMI CA) on a serial link (stdio by default) or through mctp-demux-daemon")
    .option("--tty <path>", "use this tty device instead of stdin/stdout")
    .option("--link <kind>", LINK_OPTION_HELP, parseLinkOption)
    .option("--state-dir <dir>", "write host-sim.json (status and counters) here")
    .option("--control <socket>", 'unix socket taking {"power":"on|off|reboot"} lines')
    .option("--host-eid <eid>", "our MCTP EID", eidOption, DEFAULT_HOST_SIM_SETTINGS.hostEid)
    .option("--bmc-eid <eid>", "the BMC's MCTP EID", eidOption, DEFAULT_HOST_SIM_SETTINGS.bmcEid)
    .addOption(new Option("--key <kind>", "VMI root key type").choices(["rsa2048", "p256"]).default("rsa2048"))
    .option("--read-chunk <bytes>", "ReadFileByType chunk when pulling a CSR (0 = whole file)", intOption(0, 65536), 0)
    .option("--write-chunk <bytes>", "WriteFileByType chunk when pushing a certificate (0 = whole)", intOption(0, 65536), 0)
    .addOption(
      new Option("--bad-csr <signal>", "how a bad CSR is refused")
        .choices(["file-ack-metadata", "new-file-metadata", "empty-write"])
        .default("file-ack-metadata"),
    )
    .option("--with-metadata", "announce certificates with NewFileAvailableWithMetaData", false)
    .option(
      "--faults <list>",
      "e.g. corrupt=0.01,drop=0.01,delay=50,notready=0.1,sign-delay=200,seed=7; a hostile host: bad-root=KIND, bad-cert=KIND, bad-times=N (host-sim/hostile.ts)",
    )
    .option("--baud <bps>", "pace our sending to this line speed (10 bits a byte)", intOption(300, 100_000_000))
    .option("--host-off", "start powered off (silent)", false)
    .option("--vmi-tls-port <port>", "serve the VMI mutual-TLS endpoint on 127.0.0.1 (0 = any port)", portOption)
    .option("--response-timeout <ms>", "PLDM response time-out for our requests", intOption(10, 60_000), 2000)
    .option("--retries <n>", "PLDM retries per request (same instance id)", intOption(0, 10), 2)
    .option("--chunk-retries <n>", "extra tries for a file chunk that got no answer", intOption(0, 100), 5)
    .option("--trace <file>", "record the line to FILE: pcapng when it ends in .pcapng/.pcap, else a pldmtool-style text log")
    .addOption(
      new Option("--transfer <mode>", "how files cross: inband, dma (bulk by DMA, tail in band) or mixed (DMA for the 4 KiB-aligned bulk)")
        .choices(["inband", "dma", "mixed"])
        .default("inband"),
    )
    .option("--host-memory <file>", "host memory file for DMA, given to the daemon as --dma-region (default host-memory.bin in --state-dir)")
    .option("--host-memory-size <bytes>", "host memory size, a multiple of 65536 (default 1 MiB)", intOption(65536, 1 << 30))
    .option("--validity-days <days>", "client certificate validity", intOption(1, 36500), DEFAULT_VMI_CA_SETTINGS.clientValidityDays)
    .option("--root-grace <n|Ns|Nboots>", "after a reboot, still accept client certificates of previous roots for N seconds or N boots", cliRootGrace)
    .action(async (f: HostSimFlags) => {
      await runHostSim({
        tty: f.tty,
        demuxSocket: f.link?.socket,
        stateDir: f.stateDir,
        control: f.control,
        baud: f.baud,
        hostOff: f.hostOff,
        vmiTlsPort: f.vmiTlsPort,
        trace: f.trace,
        hostMemory: f.hostMemory,
        hostMemoryBytes: f.hostMemorySize,
        settings: {
          transfer: f.transfer,
          hostEid: f.hostEid,
          bmcEid: f.bmcEid,
          tid: f.hostEid,
          readChunk: f.readChunk,
          writeChunk: f.writeChunk,
          badCsrSignal: f.badCsr,
          announceWithMetadata: f.withMetadata,
          faults: parseFaults(f.faults),
          requester: { concurrency: 4, responseTimeoutMs: f.responseTimeout, retries: f.retries },
          chunkRetries: f.chunkRetries,
          ca: { ...DEFAULT_VMI_CA_SETTINGS, keyKind: f.key, clientValidityDays: f.validityDays, rootGrace: f.rootGrace },
        },
      });
    });
}
