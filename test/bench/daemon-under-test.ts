/**
 * The BMC side as deployed, for the end-to-end figures: a private dbus-daemon, the CA
 * manager, `hostbridge daemon` with host-sim on its pty (LocalStack); each request is a
 * SignCSR on D-Bus answered when the entry's Status leaves Pending, then deleted, exactly
 * as the REST front does it (DbusCertAuthority).
 */
import { mkdtempSync, promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BusConnection } from "../../src/dbus/bus-connection.js";
import { HostBridgeStatus } from "../../src/dbus/names.js";
import { pollUntil } from "../../src/os/poll.js";
import { DbusCertAuthority } from "../../src/rest/dbus-cert-authority.js";
import { LocalStack } from "../../src/stack/local-stack.js";
import type { BmcOptions, BmcUnderTest } from "./bmc-under-test.js";

export const DAEMON_PATH =
  "SignCSR on D-Bus -> CA manager (entries in memory, like bmc-vmi-ca) -> `hostbridge daemon` -> pty -> `hostbridge host-sim`, answered on Status and deleted (the REST front's D-Bus client)";

async function rssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** User + system CPU of a process from /proc/<pid>/stat (fields 14, 15; clock ticks of 10 ms on Linux). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export async function startDaemonUnderTest(opts: BmcOptions): Promise<BmcUnderTest> {
  const baud = opts.baud ? ["--baud", String(opts.baud)] : [];
  const stack = await LocalStack.start({
    stateDir: mkdtempSync(join(tmpdir(), "hb-bench-")),
    hostSimArgs: baud,
    daemonArgs: baud,
    logLevel: "warn",
    persistCaEntries: false,
  });
  await pollUntil(
    async () => (await fs.stat(stack.rootCertPath).catch(() => undefined)) && true,
    opts.readyTimeoutMs ?? 20_000,
    "the first root push from host-sim",
  );
  const bus = await BusConnection.connect({ address: stack.busAddress, callTimeoutMs: 60_000 });
  const authority = await DbusCertAuthority.start(bus);
  const counter = (name: string) => bus.getProperty(HostBridgeStatus.service, HostBridgeStatus.path, HostBridgeStatus.iface, name).then(Number);
  return {
    path: DAEMON_PATH,
    async sign() {
      const outcome = await authority.signCsr(opts.csrPem, 60_000);
      if (outcome.kind !== "complete") throw new Error(`SignCSR ended ${outcome.kind}`);
    },
    async stats() {
      const pid = stack.pid("daemon");
      if (pid === null) throw new Error("the daemon is not running");
      return { rssMb: await rssMb(pid), cpuMs: await cpuMs(pid), wireBytes: (await counter("RxBytes")) + (await counter("TxBytes")) };
    },
    async close() {
      bus.close();
      await stack.stop();
    },
  };
}
