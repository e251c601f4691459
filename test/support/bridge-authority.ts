/**
 * A real CA side for the REST front without D-Bus: CertAuthority over the BMC half of
 * the engine (bmc-side.ts) talking to a real host-sim on a pty. Root pushes are written
 * to a root file with the daemon's RootCertWriter, as the root route reads it.
 */
import { join } from "node:path";
import { hostSimControl } from "../../src/stack/host-sim-control.js";
import { IbmFileType } from "../../pldm-codec/pldm/names.js";
import { RootCertWriter } from "../../src/daemon/root-cert-writer.js";
import type { PtyChildLink } from "../../src/link/pty-child-link.js";
import { silentLogger } from "../../src/log.js";
import type { CertAuthority, SignOutcome } from "../../src/rest/cert-authority.js";
import { startRestServer, type RestOptions, type RestServer } from "../../src/rest/index.js";
import { bmcSide } from "./bmc-side.js";
import { spawnHostSim } from "./host-sim-process.js";
import { scratchDir } from "./openssl.js";

type BmcSide = ReturnType<typeof bmcSide>;

// What the CA manager's SignCSR refuses with InvalidArgument.
const MAX_CSR_BYTES = 4096;

export class BridgeAuthority implements CertAuthority {
  private nextId = 1;

  constructor(private readonly bmc: BmcSide) {}

  async signCsr(csrPem: string, waitMs: number): Promise<SignOutcome> {
    if (csrPem === "" || Buffer.byteLength(csrPem) > MAX_CSR_BYTES) {
      return { kind: "error", detail: "xyz.openbmc_project.Common.Error.InvalidArgument" };
    }
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    const waitOver = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), waitMs)));
    try {
      const outcome = await Promise.race([this.bmc.sign(id, csrPem), waitOver]);
      if (outcome === null) return { kind: "pending" };
      return outcome.status === "Complete" ? { kind: "complete", certificate: outcome.cert } : { kind: "bad-csr" };
    } finally {
      clearTimeout(timer);
      // The entry is deleted after answering, as bmcweb does.
      this.bmc.bridge.drop(id);
    }
  }
}

export interface BridgeStack {
  readonly dir: string;
  readonly server: RestServer;
  readonly bmc: BmcSide;
  readonly authority: BridgeAuthority;
  readonly rootPath: string;
  /** The host-sim control socket ({"power":"on|off|reboot"}). */
  readonly controlPath: string;
  /** host-sim's status file (host-sim.json), with the VMI TLS port when served. */
  readonly hostSimStateDir: string;
  /** Resolves with the next root once it is in the root file. */
  nextRootWritten(): Promise<string>;
  power(action: "on" | "off" | "reboot"): Promise<void>;
  close(): Promise<void>;
}

export interface BridgeStackOptions {
  readonly hostSimArgs?: readonly string[];
  readonly rest?: Partial<RestOptions>;
  /** Wait for the first root before answering (false for a host that starts off). */
  readonly awaitRoot?: boolean;
}

export async function startBridgeStack(options: BridgeStackOptions = {}): Promise<BridgeStack> {
  const dir = scratchDir("hb-rest-");
  const rootPath = join(dir, "RootCert");
  const controlPath = join(dir, "host-sim.sock");
  const hostSimStateDir = join(dir, "host-sim");
  const child: PtyChildLink = spawnHostSim(["--control", controlPath, "--state-dir", hostSimStateDir, ...(options.hostSimArgs ?? [])]);
  const bmc = bmcSide(child, {
    requester: { responseTimeoutMs: 500, retries: 1 },
    bridge: { initialBackoffMs: 200, maxBackoffMs: 1000, probeIntervalMs: 300 },
  });
  const writer = new RootCertWriter(rootPath);
  const rootWaiters: ((pem: string) => void)[] = [];
  bmc.files.on("uploaded", (type, _handle, data) => {
    if (type !== IbmFileType.RootCert) return;
    void writer.write(data).then(() => rootWaiters.splice(0).forEach((resolve) => resolve(new TextDecoder().decode(data))));
  });
  const nextRootWritten = () => new Promise<string>((resolve) => rootWaiters.push(resolve));
  const firstRoot = nextRootWritten();
  if (options.awaitRoot ?? true) await firstRoot;
  const authority = new BridgeAuthority(bmc);
  const server = await startRestServer(
    { stateDir: join(dir, "rest"), port: 0, rootCertPath: rootPath, signWaitMs: 20_000, ...options.rest },
    authority,
    silentLogger,
  );
  return {
    dir,
    server,
    bmc,
    authority,
    rootPath,
    controlPath,
    hostSimStateDir,
    nextRootWritten,
    power: (action) => hostSimControl(controlPath, { power: action }).then(() => undefined),
    async close() {
      await server.close();
      bmc.close();
      await child.close();
    },
  };
}
