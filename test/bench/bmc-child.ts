/**
 * The BMC under test as its own process (the stand-in for `hostbridge daemon` until the D-Bus
 * path is wired): the daemon's own wiring (`createBmcEngine`) on a real pty to `hostbridge
 * host-sim`, optionally paced. Driven over the fork IPC channel by bmc-under-test.ts:
 *   parent -> {op:"sign", id} | {op:"stats"} | {op:"stop"}
 *   child  -> {op:"ready"} | {op:"done", id, status} | {op:"stats", rssMb, wireBytes}
 * The CSR and line speed come in argv as JSON. Nothing is kept per finished request, so
 * the resident memory measured is the engine's own.
 */
import { createBmcEngine } from "../../src/daemon/bmc-engine.js";
import type { CaEntry } from "../../src/daemon/cert-request-bridge.js";
import { pace } from "../../src/link/paced-link.js";
import { BaseLink, type SerialLink } from "../../src/link/serial-link.js";
import { spawnHostSim } from "../support/host-sim-process.js";

export interface ChildConfig {
  csrPem: string;
  baud?: number;
}

export type ToChild = { op: "sign"; id: number } | { op: "stats" } | { op: "stop" };
export type FromChild = { op: "ready" } | { op: "done"; id: number; status: "Complete" | "BadCSR" } | ({ op: "stats" } & BmcStats);

export interface BmcStats {
  rssMb: number;
  /** When the driver can tell: the JS heap in use, and memory outside it (ArrayBuffers among it). */
  heapUsedMb?: number;
  externalMb?: number;
  /** CPU time the BMC process has used so far, user + system. */
  cpuMs?: number;
  wireBytes: number;
}

/** Counts every byte that crosses the serial line, both ways: the wire-time floor is computed from these. */
class CountingLink extends BaseLink implements SerialLink {
  readonly description: string;
  bytes = 0;

  constructor(private readonly inner: SerialLink) {
    super();
    this.description = `${inner.description} (counted)`;
    inner.on("data", (c) => {
      this.bytes += c.length;
      this.received(c);
    });
    inner.on("close", (r) => this.closed(r));
    inner.on("error", (e) => this.failed(e));
  }

  protected transmit(bytes: Uint8Array): void {
    this.bytes += bytes.length;
    this.inner.write(bytes);
  }

  protected release(): Promise<void> {
    return this.inner.close();
  }
}

function main(): void {
  const config = JSON.parse(process.argv[2] ?? "{}") as ChildConfig;
  const send = (m: FromChild) => process.send?.(m);
  const pty = spawnHostSim(config.baud ? ["--baud", String(config.baud)] : []);
  // The BMC's own sending is paced too; host-sim paces its side with --baud.
  const line = new CountingLink(pty);
  const link = config.baud ? pace(line, { baud: config.baud }) : line;
  let ready = false;
  const finish = (entry: CaEntry, status: "Complete" | "BadCSR") => {
    send({ op: "done", id: entry.id, status });
    return Promise.resolve();
  };
  const engine = createBmcEngine({
    link,
    sink: { complete: (entry) => finish(entry, "Complete"), badCsr: (entry) => finish(entry, "BadCSR") },
    onRoot: () => {
      if (!ready) send({ op: "ready" });
      ready = true;
    },
  });
  let stopping = false;
  const stop = async () => {
    stopping = true;
    engine.close();
    await link.close();
    process.exit(0);
  };
  process.on("message", (m: ToChild) => {
    if (m.op === "sign") engine.bridge.take({ id: m.id, path: `/xyz/openbmc_project/certs/ca/entry/${m.id}`, csr: config.csrPem });
    else if (m.op === "stats") {
      // Collected first so that the figure is what stays resident, not garbage not yet swept.
      (globalThis as { gc?: () => void }).gc?.();
      const mem = process.memoryUsage();
      const mb = (n: number) => n / 2 ** 20;
      const cpu = process.cpuUsage();
      const cpuMs = (cpu.user + cpu.system) / 1000;
      send({ op: "stats", rssMb: mb(mem.rss), heapUsedMb: mb(mem.heapUsed), externalMb: mb(mem.external), cpuMs, wireBytes: line.bytes });
    } else void stop();
  });
  process.on("disconnect", () => void stop());
  pty.on("close", (why) => {
    if (stopping) return;
    process.stderr.write(`bmc-child: host-sim link closed: ${why}\n`);
    process.exit(1);
  });
}

main();
