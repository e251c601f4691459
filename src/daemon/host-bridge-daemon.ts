/**
 * `hostbridge daemon`: the link to the host, the BMC PLDM engine, the CA entries on
 * D-Bus, the root-certificate writer and our status object, started and stopped as one.
 * A standby (`--standby`) queues for our bus name and touches nothing else; when the
 * bus hands it the name (the active one died or left) it starts all of that and takes
 * up every Pending entry.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { BusConnection } from "../dbus/bus-connection.js";
import { HostBridgeStatus } from "../dbus/names.js";
import { AttestationHooks, checkAttestationSettings, type HookPoint, type HookSubject } from "../hooks/index.js";
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
import { createBmcEngine, type BmcEngine } from "./bmc-engine.js";
import { CaEntries } from "./ca-entries.js";
import type { DaemonSettings, LinkSetting } from "./daemon-settings.js";
import { RootCertWriter } from "./root-cert-writer.js";
import { StatusPublisher } from "./status-publisher.js";

/**
 * After a takeover the host may still be pushing certificates to the dead daemon (our
 * file service refuses those writes and the host gives up), and it ignores our
 * announcement of an entry it is still busy with. So the entries taken over wait this
 * long, past the host's 6 s replay window, before being announced again, not certWaitMs.
 */
const TAKEOVER_CERT_WAIT_MS = 7000;

/**
 * Where a standby's status object can be read by name: a system bus's policy can allow
 * reads from a well-known name, not from a unique one.
 */
export const STANDBY_SERVICE = `${HostBridgeStatus.service}.Standby`;

/** What runs once the daemon is active. */
export interface ActiveDaemon {
  engine: BmcEngine;
  root: RootCertWriter;
  status: StatusPublisher;
  hooks: AttestationHooks | null;
  stop(): Promise<void>;
}

export interface RunningDaemon {
  bus: BusConnection;
  /** "standby" until the bus hands us the name. */
  readonly role: "active" | "standby";
  /** Resolves once this daemon is active (at once unless it started as a standby). */
  active: Promise<ActiveDaemon>;
  /** Why the daemon cannot go on (bus or link lost, takeover failed); the caller exits for its supervisor. */
  fatal: Promise<string>;
  stop(): Promise<void>;
}

export async function openLink(link: Exclude<LinkSetting, { kind: "mctp-demux" }>): Promise<SerialLink> {
  if (link.kind === "tty") return openTtyDevice(link.path, { baud: link.baud });
  // The host program runs on a raw pty whose other side is our link.
  const raw = link.kind === "stdio" ? openStdioLink() : spawnPtyChild({ file: "/bin/sh", name: "host", args: ["-c", link.command], killAfterMs: 1000 });
  return link.baud ? pace(raw, { baud: link.baud }) : raw;
}

export async function startDaemon(s: DaemonSettings, log: Logger): Promise<RunningDaemon> {
  await fs.mkdir(s.spoolDir, { recursive: true });
  const bus = await BusConnection.connect({ address: s.bus, callTimeoutMs: s.dbusTimeoutMs, log });
  let fail: (why: string) => void = () => undefined;
  const fatal = new Promise<string>((resolve) => (fail = resolve));
  bus.once("disconnected", (why) => fail(`D-Bus connection lost: ${why}`));
  let parts: ActiveDaemon | null = null;
  let stopped = false;

  let active: Promise<ActiveDaemon>;
  if (!s.standby) {
    // Leave the link alone when another daemon is active (the name is still requested after, as the sign of readiness).
    const owner = await bus.watchName(HostBridgeStatus.service);
    if (owner !== null) throw new Error(`the bus name ${HostBridgeStatus.service} is already owned by ${owner} (start a second daemon with --standby)`);
    parts = await activate(s, bus, log, fail);
    await bus.requestName(HostBridgeStatus.service);
    active = Promise.resolve(parts);
  } else {
    active = standBy(s, bus, log, fail, () => stopped).then((p) => (parts = p));
    active.catch((e: unknown) => fail(`could not take over: ${(e as Error).message}`));
  }
  log.info({ link: s.link, bus: s.bus, rootCertPath: s.rootCertPath, dmaRegion: s.dmaRegion, standby: s.standby }, "hostbridge daemon running");

  return {
    bus,
    get role() {
      return parts ? "active" : "standby";
    },
    active,
    fatal,
    async stop() {
      stopped = true;
      await parts?.stop();
      bus.close();
    },
  };
}

/**
 * Waits in the bus's queue for our name. Meanwhile only a status object (on our unique
 * name and at STANDBY_SERVICE) says we are the standby; the link and the CA entries are
 * left to the active one.
 */
async function standBy(s: DaemonSettings, bus: BusConnection, log: Logger, fail: (why: string) => void, stopped: () => boolean): Promise<ActiveDaemon> {
  const standbyStatus = bus.exportObject(HostBridgeStatus.path, [
    {
      name: HostBridgeStatus.iface,
      properties: {
        Role: { type: "s", value: "standby", access: "read" },
        RootCertPath: { type: "s", value: s.rootCertPath, access: "const" },
      },
    },
  ]);
  const acquired = new Promise<number>((resolve) => {
    void bus.watchName(HostBridgeStatus.service, (owner) => {
      if (owner === bus.uniqueName) resolve(Date.now());
    });
  });
  // Several standbys may wait; the first in line answers at the standby name.
  await bus.requestNameQueued(STANDBY_SERVICE);
  const queued = await bus.requestNameQueued(HostBridgeStatus.service);
  log.info({ uniqueName: bus.uniqueName, queued }, queued === "queued" ? "standby: queued behind the active daemon" : "standby: no active daemon; taking over");
  const at = await acquired;
  if (stopped()) throw new Error("stopped while standing by");
  standbyStatus.set(HostBridgeStatus.iface, "Role", "taking-over");
  // The standby object answers until the active one replaces it.
  const parts = await activate(s, bus, log, fail, () => bus.unexportObject(HostBridgeStatus.path), true);
  await bus.releaseName(STANDBY_SERVICE).catch((e: unknown) => log.warn({ err: (e as Error).message }, "could not release the standby name"));
  log.info({ takeoverMs: Date.now() - at }, "standby: took over (link open, Pending entries taken up)");
  return parts;
}

/** Opens the link and starts the bridge, the CA entries, the root writer and the status object. */
/** The byte link (traced if asked), or for mctp-demux the demux client the engine sits on directly. */
async function openHostLink(s: DaemonSettings, log: Logger): Promise<SerialLink | MctpTransport> {
  const l = s.link!;
  if (l.kind === "mctp-demux") return new MctpDemuxTransport({ socket: l.socket, localEid: s.localEid, log });
  const raw = await openLink(l);
  return s.trace ? recordLink(raw, s.trace, { name: "daemon", localEid: s.localEid }) : raw;
}

async function activate(
  s: DaemonSettings,
  bus: BusConnection,
  log: Logger,
  fail: (why: string) => void,
  beforeStatus?: () => void,
  takeover = false,
): Promise<ActiveDaemon> {
  const link = await openHostLink(s, log);
  // A demux client reconnects by itself: only a byte link we own ends the daemon.
  if (!isMctpTransport(link)) link.on("close", (why) => fail(`link to the host closed: ${String(why)}`));
  const root = new RootCertWriter(s.rootCertPath, log, join(s.spoolDir, "root-history.jsonl"));
  await root.loadExisting();
  const entries = new CaEntries(bus, log, s.dbusTimeoutMs);
  // The hooks learn the host's state from the engine, which exists by the time they run.
  let engine: BmcEngine | null = null;
  const hooks = s.attestation
    ? new AttestationHooks(
        checkAttestationSettings(s.attestation),
        () => ({
          linkState: engine?.bridge.host.state ?? "unknown",
          lastSeen: engine?.bridge.host.lastSeenMs ? new Date(engine.bridge.host.lastSeenMs).toISOString() : "",
          rootFingerprint: root.currentFingerprint ?? "",
        }),
        log,
      )
    : null;
  /** Recent denials by entry path, for the REST front's 400 (BadCsrReason on the status object). */
  const denials = new Map<string, string>();
  /** A denial's reason, or null to go on; asked only where something is configured. */
  const ask = async (point: HookPoint, subject: HookSubject): Promise<string | null> => {
    if (!hooks?.active(point)) return null;
    const decision = await hooks.check(point, subject);
    if (decision.allow) return null;
    if (subject.path) denials.set(subject.path, decision.reason);
    if (denials.size > 256) denials.delete(denials.keys().next().value!);
    return decision.reason;
  };
  let rootWrite: Promise<unknown> = Promise.resolve();
  engine = createBmcEngine({
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
      rootWrite = rootWrite
        .then(async () => {
          // Attestation pre-root: a denied root leaves the old RootCert in place.
          const denial = await ask("pre-root", { pem: new TextDecoder().decode(data) });
          if (denial !== null) return log.warn({ reason: denial }, "root push denied; RootCert left as it was");
          await root.write(data);
        })
        .catch((e: unknown) => log.error({ err: (e as Error).message }, "root push refused"));
    },
  });
  const bridge = engine.bridge;
  if (takeover) bridge.capCertWait(TAKEOVER_CERT_WAIT_MS, TAKEOVER_CERT_WAIT_MS);
  // Without checks at a point the path stays as it was (no extra await).
  if (hooks?.active("pre-announce")) entries.beforeAnnounce = (entry) => ask("pre-announce", { entryId: entry.id, path: entry.path, pem: entry.csr });
  if (hooks?.active("pre-deliver")) bridge.beforeDeliver = (entry, certPem) => ask("pre-deliver", { entryId: entry.id, path: entry.path, pem: certPem });
  await entries.start(bridge);
  beforeStatus?.();
  const status = new StatusPublisher(bus, engine, root, entries, { hooks: hooks ?? undefined, badCsrReason: (path) => denials.get(path) ?? "" });
  const running = engine;
  return {
    engine: running,
    root,
    status,
    hooks,
    async stop() {
      // Entries stay Pending on the manager; a root write in progress finishes first.
      status.close();
      running.close();
      // Both at once: a spawned host gets SIGTERM, then SIGKILL after 1 s (pty-child-link), and is
      // waited for, so a daemon that exits leaves no host behind.
      const bounded = (p: Promise<unknown>, ms: number) => Promise.race([p, new Promise((r) => setTimeout(r, ms))]);
      await Promise.all([bounded(rootWrite, 1000), isMctpTransport(link) ? null : bounded(link.close(), 1500)]);
    },
  };
}
