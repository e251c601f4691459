/** `hostbridge rest` and `hostbridge host-state`: the bmcweb and state-manager roles. */
import type { Command } from "commander";
import { hostSimControl } from "../stack/host-sim-control.js";
import { BusConnection } from "../dbus/bus-connection.js";
import { HostStateService } from "../dbus/host-state-service.js";
import { createLogger } from "../log.js";
import { DbusCertAuthority } from "../rest/dbus-cert-authority.js";
import { writeFileAtomic } from "../os/files.js";
import { startRestServer } from "../rest/index.js";
import { intOption, portOption } from "./options.js";
import { supervise } from "./supervise.js";

interface RestFlags {
  bus: string;
  host: string;
  port: number;
  stateDir: string;
  rootCert: string;
  signTimeout: number;
  users?: string;
  readyFile?: string;
  faillockDeny: number;
  faillockUnlockTime: number;
  sessionsPerUser: number;
  maxConnections: number;
  headerTimeout: number;
}

export function registerBmcServiceCommands(program: Command): void {
  program
    .command("rest")
    .description("serve the IBM management-console REST routes (SignCSR, root certificate) over HTTPS")
    .option("--bus <address>", 'D-Bus: "system", "session" or an address', "system")
    .option("--host <address>", "listen address (anything but loopback needs --users)", "127.0.0.1")
    .option("--port <port>", "HTTPS port (0 = any free port)", portOption, 443)
    .option("--state-dir <dir>", "where the BMC's TLS identity is made and kept", "/var/lib/pldm-hostbridge/rest")
    .option("--root-cert <path>", "root certificate file", "/var/lib/bmcweb/RootCert")
    .option("--sign-timeout <ms>", "how long SignCSR waits for the host", intOption(100, 600_000), 30_000)
    .option("--users <file>", "JSON users file (docs/rest.md)")
    .option("--ready-file <file>", "write {url, port, caPath} here once listening")
    .option("--faillock-deny <n>", "failed logins that lock a user name, as pam_faillock deny (0 = never)", intOption(0, 1000), 3)
    .option("--faillock-unlock-time <ms>", "how long a locked name stays locked, as pam_faillock unlock_time", intOption(100, 86_400_000), 600_000)
    .option("--sessions-per-user <n>", "sessions one user may hold; a new login ends that user's oldest", intOption(1, 1000), 16)
    .option("--max-connections <n>", "open connections; at the cap a new one closes the oldest idle one", intOption(10, 100_000), 1000)
    .option("--header-timeout <ms>", "close a connection whose TLS handshake or request headers take longer", intOption(100, 600_000), 10_000)
    .action(async (f: RestFlags) => {
      const log = createLogger("hostbridge-rest");
      const bus = await BusConnection.connect({ address: f.bus, log });
      const authority = await DbusCertAuthority.start(bus, log);
      const server = await startRestServer(
        {
          host: f.host,
          port: f.port,
          stateDir: f.stateDir,
          rootCertPath: f.rootCert,
          signWaitMs: f.signTimeout,
          usersFile: f.users ?? null,
          faillockDeny: f.faillockDeny,
          faillockUnlockMs: f.faillockUnlockTime,
          sessionsPerUser: f.sessionsPerUser,
          maxConnections: f.maxConnections,
          handshakeTimeoutMs: f.headerTimeout,
          headersTimeoutMs: f.headerTimeout,
        },
        authority,
        log,
      );
      if (f.readyFile) {
        await writeFileAtomic(f.readyFile, JSON.stringify({ url: server.url, port: server.port, caPath: server.caPath }), 0o644);
      }
      log.info({ url: server.url }, "REST front listening");
      supervise(log, () => server.close().finally(() => bus.close()), new Promise((r) => bus.once("disconnected", r)));
    });

  program
    .command("host-state")
    .description("serve xyz.openbmc_project.State.Host for host-sim: RequestedHostTransition powers it on, off or through a reboot")
    .option("--bus <address>", 'D-Bus: "system", "session" or an address', "session")
    .requiredOption("--host-control <socket>", "host-sim's control socket")
    .action(async (f: { bus: string; hostControl: string }) => {
      const log = createLogger("hostbridge-host-state");
      const bus = await BusConnection.connect({ address: f.bus, log });
      const ctl = (power: "on" | "off" | "reboot") => hostSimControl(f.hostControl, { power }, 20_000).then(() => undefined);
      const svc = await HostStateService.start(
        bus,
        {
          on: () => ctl("on"),
          off: () => ctl("off"),
          reboot: () => ctl("reboot"),
          isOn: async () => (await hostSimControl(f.hostControl, { status: true }, 2000)).power !== "off",
        },
        { log },
      );
      supervise(log, async () => (svc.close(), bus.close()), new Promise((r) => bus.once("disconnected", r)));
    });
}
