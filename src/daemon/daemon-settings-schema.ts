/**
 * The daemon's settings as one TypeBox schema: a new setting is one line here. Read at build
 * time only (gen-settings-validators.ts turns it into daemon-settings.validators.ts), so the
 * running daemon loads neither TypeBox nor ajv; its types are shared at no run-time cost.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { BridgeSettings } from "./cert-request-bridge.js";

// Each helper takes the setting's default, so a new setting is one line in the schema.
const whole = (minimum: number, maximum: number, dflt?: number) => Type.Integer({ minimum, maximum, default: dflt });
const text = (dflt?: string) => Type.String({ minLength: 1, default: dflt });
const absolutePath = (dflt?: string) => Type.String({ pattern: "^/", expected: "an absolute path", ...(dflt === undefined ? {} : { default: dflt }) });
const eid = (dflt: number) => whole(8, 254, dflt);
const baud = () => Type.Optional(whole(50, 4_000_000));
const closed = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: false });

/** `baud` on a tty sets the device speed; on a pty or stdio it paces our sending like a UART would. */
const TTY_LINK = closed({ kind: Type.Literal("tty"), path: text(), baud: baud() });
const LINK_KINDS = [
  TTY_LINK,
  closed({ kind: Type.Literal("spawn"), command: text(), baud: baud() }),
  closed({ kind: Type.Literal("stdio"), baud: baud() }),
  /** A client of libmctp's mctp-demux-daemon; `socket` "\0name" is abstract (default "\0mctp-mux"). */
  closed({ kind: Type.Literal("mctp-demux"), socket: Type.Optional(text()) }),
];
export type LinkSetting = Static<(typeof LINK_KINDS)[number]>;

/** The bridge's timing (cert-request-bridge.ts); unset values take its defaults. */
const BridgeSchema = closed({
  initialBackoffMs: Type.Optional(whole(10, 3_600_000)),
  maxBackoffMs: Type.Optional(whole(10, 3_600_000)),
  certWaitMs: Type.Optional(whole(100, 3_600_000)),
  probeIntervalMs: Type.Optional(whole(10, 3_600_000)),
});

export const DaemonSettingsSchema = closed({
  /** "system", "session" or a D-Bus address. */
  bus: text("system"),
  /** None by default: one is required. */
  link: Type.Union([...LINK_KINDS, Type.Null()], { default: null }),
  localEid: eid(8),
  hostEid: eid(9),
  /** Our PLDM terminus id; 0 and 0xFF are reserved (DSP0240). */
  tid: whole(1, 254, 1),
  rootCertPath: absolutePath("/var/lib/bmcweb/RootCert"),
  /** Our own small state: the root-certificate change history. */
  spoolDir: text("/var/lib/pldm-hostbridge"),
  /** pldmd's time-out and retries. */
  responseTimeoutMs: whole(10, 60_000, 2000),
  retries: whole(0, 10, 2),
  dbusTimeoutMs: whole(100, 120_000, 5000),
  bridge: BridgeSchema,
  /** Record the link to this file (.pcapng or a text log). */
  trace: Type.Union([text(), Type.Null()], { default: null }),
  /** The emulated host-memory file for DMA transfers (host-sim's --host-memory); null = no DMA. */
  dmaRegion: Type.Union([absolutePath(), Type.Null()], { default: null }),
  /** Attestation hooks and built-in checks (docs/daemon.md; checked by src/hooks); null asks nobody. */
  attestation: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], { default: null }),
  /** Queue for the bus name behind an active daemon and take over when it goes (docs/redundancy.md). */
  standby: Type.Boolean({ default: false }),
});
export type DaemonSettings = Static<typeof DaemonSettingsSchema>;
/** One layer: any subset of the settings. */
export type DaemonSettingsLayer = Partial<DaemonSettings>;
export const LayerSchema = Type.Partial(DaemonSettingsSchema);

/** HOSTBRIDGE_* variables (docs/daemon.md) by the setting each one sets; `link.*` make a tty link. */
export const ENV_NAMES: Readonly<Record<string, string>> = {
  bus: "HOSTBRIDGE_BUS",
  "link.path": "HOSTBRIDGE_TTY",
  "link.baud": "HOSTBRIDGE_BAUD",
  rootCertPath: "HOSTBRIDGE_ROOT_CERT",
  spoolDir: "HOSTBRIDGE_SPOOL",
  localEid: "HOSTBRIDGE_LOCAL_EID",
  hostEid: "HOSTBRIDGE_HOST_EID",
};
/**
 * The layer the environment can give: its keys only, and a link only as a tty. Checked with
 * coercion (numbers come as strings); a schema of its own keeps that validator small.
 */
const envKeys = [...new Set(Object.keys(ENV_NAMES).map((name) => name.split(".")[0] as keyof DaemonSettings))];
export const EnvLayerSchema = Type.Partial(
  closed(Object.fromEntries(envKeys.map((key) => [key, key === "link" ? TTY_LINK : DaemonSettingsSchema.properties[key]]))),
);

// The schema's bridge keys must be BridgeSettings keys.
const _bridgeKeysExist: Partial<BridgeSettings> = {};
void _bridgeKeysExist;
