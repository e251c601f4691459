/**
 * `hostbridge daemon`: the link to the host, the BMC PLDM stack, the CA entries on
 * D-Bus, the root-certificate writer and our status object, started and stopped as one.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { BusConnection } from "../dbus/bus-connection.js";
import { HostBridgeStatus } from "../dbus/names.js";
import { pace } from "../link/paced-link.js";
import { spawnPtyChild } from "../link/pty-child-link.js";
import type { SerialLink } from "../link/serial-link.js";
import { openStdioLink } from "../link/stdio-link.js";
import { openTtyDevice } from "../link/tty-device-link.js";
import type { Logger } from "../log.js";
import { MctpDemuxTransport } from "../mctp/mctp-demux-transport.js";
import { isMctpTransport, type MctpTransport } from "../mctp/mctp-transport.js";
import { recordLink } from "../trace/trace-recorder.js";
import { EmulatedDmaEngine } from "../dma/emulated-dma-engine.js";
import { createBmcStack, type BmcStack } from "./bmc-stack.js";
import { CaEntrySource } from "./ca-entry-source.js";
import type { DaemonSettings, LinkSetting } from "./daemon-settings.js";
import { RootCertWriter } from "./root-cert-writer.js";
import { StatusPublisher } from "./status-publisher.js";

export interface RunningDaemon {
  stack: BmcStack;
  bus: BusConnection;
  root: RootCertWriter;
  status: StatusPublisher;
  /** Why the daemon cannot go on (bus or link lost); the caller exits for its supervisor. */
  fatal: Promise<string>;
  stop(): Promise<void>;
}

export async function openLink(link: Exclude<LinkSetting, { kind: "mctp-demux" }>): Promise<SerialLink> {
  if (link.kind === "tty") return openTtyDevice(link.path, { baud: link.baud });
  // The host program runs on a raw pty whose other side is our link.
  const raw = link.kind === "stdio" ? openStdioLink() : spawnPtyChild({ file: "/bin/sh", name: "host", args: ["-c", link.command], killAfterMs: 1000 });
  return link.baud ? pace(raw, { baud: link.baud }) : raw;
}

/** The byte link (traced if asked), or for mctp-demux the demux client the stack sits on directly. */
async function openHostLink(s: DaemonSettings, log: Logger): Promise<SerialLink | MctpTransport> {
  const l = s.link!;
  if (l.kind === "mctp-demux") return new MctpDemuxTransport({ socket: l.socket, localEid: s.localEid, log });
  const raw = await openLink(l);
  return s.trace ? recordLink(raw, s.trace, { name: "daemon", localEid: s.localEid }) : raw;
}

export async function startDaemon(s: DaemonSettings, log: Logger): Promise<RunningDaemon> {
  await fs.mkdir(s.spoolDir, { recursive: true });
  const bus = await BusConnection.connect({ address: s.bus, callTimeoutMs: s.dbusTimeoutMs, log });
  const link = await openHostLink(s, log);
  const root = new RootCertWriter(s.rootCertPath, log, join(s.spoolDir, "root-history.jsonl"));
  await root.loadExisting();
  const entries = new CaEntrySource(bus, log, s.dbusTimeoutMs);
  let rootWrite: Promise<unknown> = Promise.resolve();
  const stack = createBmcStack({
    link,
    sink: entries,
    localEid: s.localEid,
    tid: s.tid,
    requester: { responseTimeoutMs: s.responseTimeoutMs, retries: s.retries },
    bridge: { hostEid: s.hostEid, ...s.bridge },
    log,
    dma: s.dmaRegion ? new EmulatedDmaEngine(s.dmaRegion) : null,
    initialRoot: root.currentPem,
    // One root write at a time, so the newest push is the one left in place.
    onRoot: (data) => {
      rootWrite = rootWrite.then(() => root.write(data)).catch((e: unknown) => log.error({ err: (e as Error).message }, "root push refused"));
    },
  });
  await entries.start(stack.bridge);
  const status = new StatusPublisher(bus, stack, root, entries);
  await bus.requestName(HostBridgeStatus.service);

  const fatal = new Promise<string>((resolve) => {
    bus.once("disconnected", (why) => resolve(`D-Bus connection lost: ${why}`));
    // A demux client reconnects by itself: only a byte link we own ends the daemon.
    if (!isMctpTransport(link)) link.on("close", (why) => resolve(`link to the host closed: ${String(why)}`));
  });
  log.info({ link: link.description, bus: s.bus, rootCertPath: s.rootCertPath, dmaRegion: s.dmaRegion }, "hostbridge daemon running");

  return {
    stack,
    bus,
    root,
    status,
    fatal,
    async stop() {
      // Entries stay Pending on the manager; a root write in progress finishes first.
      status.close();
      stack.close();
      await Promise.race([rootWrite, new Promise((r) => setTimeout(r, 1000))]);
      if (!isMctpTransport(link)) await Promise.race([link.close(), new Promise((r) => setTimeout(r, 500))]);
      bus.close();
    },
  };
}
