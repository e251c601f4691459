/**
 * Our own D-Bus object, xyz.openbmc_project.PLDM.HostBridge at
 * /xyz/openbmc_project/pldm/hostbridge: host link state, root fingerprint and counters,
 * refreshed from the parts once a second and on every host state change.
 */
import type { BusConnection } from "../dbus/bus-connection.js";
import type { ExportedObject } from "../dbus/exported-object.js";
import { HostBridgeStatus } from "../dbus/names.js";
import type { CaEntries } from "./ca-entries.js";
import type { BmcEngine } from "./bmc-engine.js";
import type { RootCertWriter } from "./root-cert-writer.js";

const COUNTERS = [
  "Completed",
  "Refused",
  "Pending",
  "Announces",
  "BadFrames",
  "Retries",
  "Timeouts",
  "SpoofedSignals",
  "RxBytes",
  "TxBytes",
  "CertificatesRefused",
  "RootsRefused",
  "IdsReused",
  "HookAllowed",
  "HookDenied",
  "HookErrors",
] as const;

/** What the attestation hooks and the standby role add to the status object. */
export interface StatusExtras {
  hooks?: { counters: { allowed: number; denied: number; errors: number } };
  /** Why an entry ended BadCSR ("" when unknown), for the REST front's 400. */
  badCsrReason?: (path: string) => string;
}

export class StatusPublisher {
  private readonly obj: ExportedObject;
  private readonly timer: NodeJS.Timeout;

  constructor(
    bus: BusConnection,
    private readonly engine: BmcEngine,
    private readonly root: RootCertWriter,
    private readonly entries: CaEntries,
    private readonly extras: StatusExtras = {},
  ) {
    const counters = Object.fromEntries(COUNTERS.map((n) => [n, { type: "t", value: 0n, access: "read" as const }]));
    this.obj = bus.exportObject(HostBridgeStatus.path, [
      {
        name: HostBridgeStatus.iface,
        properties: {
          HostLinkState: { type: "s", value: "unknown", access: "read" },
          LinkState: { type: "s", value: "up", access: "read" },
          HostLastSeen: { type: "s", value: "", access: "read" },
          RootCertPath: { type: "s", value: root.path, access: "const" },
          RootFingerprint: { type: "s", value: "", access: "read" },
          RootChangedAt: { type: "s", value: "", access: "read" },
          Role: { type: "s", value: "active", access: "read" },
          ...counters,
        },
        methods: {
          BadCsrReason: { in: "o", out: "s", handler: ([path]) => [extras.badCsrReason?.(String(path)) ?? ""] },
        },
      },
    ]);
    // Signals at most once a second and on host state changes; reads are always fresh.
    engine.bridge.on("host", () => this.refresh());
    this.obj.onRead = () => this.refresh();
    this.timer = setInterval(() => this.refresh(), 1000);
    this.timer.unref();
    this.refresh();
  }

  snapshot(): Record<string, string | number> {
    const { bridge, terminus, endpoint } = this.engine;
    const link = endpoint.stats();
    const serial = link.serial;
    const host = bridge.host;
    const last = this.root.history.at(-1);
    return {
      HostLinkState: host.state,
      LinkState: link.linkState,
      HostLastSeen: host.lastSeenMs === null ? "" : new Date(host.lastSeenMs).toISOString(),
      RootFingerprint: last?.fingerprint ?? "",
      RootChangedAt: last?.at ?? "",
      Completed: bridge.counters.completed,
      Refused: bridge.counters.refused,
      Pending: bridge.pendingCount(),
      Announces: bridge.counters.announces,
      BadFrames: serial ? serial.fcsErrors + serial.badCounts + serial.truncatedFrames : 0,
      Retries: terminus.requester.stats.retries,
      Timeouts: terminus.requester.stats.timeouts,
      SpoofedSignals: this.entries.counters.spoofed,
      RxBytes: link.rxBytes,
      TxBytes: link.txBytes,
      CertificatesRefused: bridge.counters.certificatesRefused,
      RootsRefused: this.engine.rootCounters.refused,
      IdsReused: bridge.counters.idsReused,
      HookAllowed: this.extras.hooks?.counters.allowed ?? 0,
      HookDenied: this.extras.hooks?.counters.denied ?? 0,
      HookErrors: this.extras.hooks?.counters.errors ?? 0,
    };
  }

  refresh(): void {
    const values: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(this.snapshot())) values[name] = typeof value === "number" ? BigInt(value) : value;
    this.obj.setMany(HostBridgeStatus.iface, values);
  }

  close(): void {
    clearInterval(this.timer);
  }
}
