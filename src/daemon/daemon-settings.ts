/**
 * Daemon settings from defaults, a JSON file, the environment and flags, in that order
 * (later wins). Every layer and the result are checked against one schema, so the daemon
 * starts right or not at all; a new setting is one line in DaemonSettingsSchema.
 */
import { readFileSync } from "node:fs";
import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { checkSettings, SettingsError, type SettingsSource } from "../settings/check.js";
import { checkAttestationSettings } from "../hooks/index.js";
import type { BridgeSettings } from "./cert-request-bridge.js";

export { SettingsError };

// Each helper takes the setting's default, so a new setting is one line in the schema.
const whole = (minimum: number, maximum: number, dflt?: number) => Type.Integer({ minimum, maximum, default: dflt });
const text = (dflt?: string) => Type.String({ minLength: 1, default: dflt });
const absolutePath = (dflt?: string) => Type.String({ pattern: "^/", expected: "an absolute path", ...(dflt === undefined ? {} : { default: dflt }) });
const eid = (dflt: number) => whole(8, 254, dflt);
const baud = () => Type.Optional(whole(50, 4_000_000));
const closed = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: false });

/** `baud` on a tty sets the device speed; on a pty or stdio it paces our sending like a UART would. */
const LINK_KINDS = [
  closed({ kind: Type.Literal("tty"), path: text(), baud: baud() }),
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
const LayerSchema = Type.Partial(DaemonSettingsSchema);

// The schema's bridge keys must be BridgeSettings keys.
const _bridgeKeysExist: Partial<BridgeSettings> = {};
void _bridgeKeysExist;

/** The schema's defaults. */
export const DEFAULT_DAEMON_SETTINGS: DaemonSettings = Object.freeze(Value.Create(DaemonSettingsSchema));

/** HOSTBRIDGE_* variables (docs/daemon.md) by the setting each one sets. */
const ENV_NAMES: Readonly<Record<string, string>> = {
  bus: "HOSTBRIDGE_BUS",
  "link.path": "HOSTBRIDGE_TTY",
  "link.baud": "HOSTBRIDGE_BAUD",
  rootCertPath: "HOSTBRIDGE_ROOT_CERT",
  spoolDir: "HOSTBRIDGE_SPOOL",
  localEid: "HOSTBRIDGE_LOCAL_EID",
  hostEid: "HOSTBRIDGE_HOST_EID",
};

export function settingsFromEnv(env: NodeJS.ProcessEnv): DaemonSettingsLayer {
  const layer: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(ENV_NAMES)) {
    const value = env[variable];
    if (value === undefined || value === "" || key.startsWith("link.")) continue;
    layer[key] = value;
  }
  if (env.HOSTBRIDGE_TTY) layer.link = dropUndefined({ kind: "tty", path: env.HOSTBRIDGE_TTY, baud: env.HOSTBRIDGE_BAUD || undefined });
  return checkLayer(layer, { source: "environment", names: ENV_NAMES, coerce: true });
}

export function settingsFromFile(path: string): DaemonSettingsLayer {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new SettingsError(`config ${path}: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new SettingsError(`config ${path}: expected a JSON object`);
  return checkLayer(raw, { source: `config ${path}` });
}

/** Checks one layer (flags, a caller's options) against the schema; `names` spells keys as that source does. */
export function checkLayer(layer: unknown, from: SettingsSource): DaemonSettingsLayer {
  return checkSettings(LayerSchema, dropUndefined(layer), from);
}

/**
 * Defaults, then each layer: a later value wins; `bridge` merges key by key, `link` is
 * replaced whole (a tty path and a spawn command do not mix).
 */
export function resolveSettings(...layers: DaemonSettingsLayer[]): DaemonSettings {
  const s: DaemonSettings = { ...DEFAULT_DAEMON_SETTINGS };
  for (const layer of layers) {
    const { bridge, ...rest } = checkLayer(layer, { source: "" });
    Object.assign(s, rest);
    if (bridge) s.bridge = { ...s.bridge, ...bridge };
  }
  checkSettings(DaemonSettingsSchema, s, { source: "" });
  if (!s.link) throw new SettingsError("no link to the host: give --tty PATH, --spawn-host COMMAND, --stdio or --link mctp-demux (or HOSTBRIDGE_TTY)");
  if (s.link.kind === "mctp-demux" && s.trace) throw new SettingsError("trace records a serial link; on mctp-demux use the demux daemon's own pcap capture");
  if (s.localEid === s.hostEid) throw new SettingsError("localEid and hostEid must differ");
  if (s.attestation !== null) {
    try {
      checkAttestationSettings(s.attestation);
    } catch (e) {
      throw new SettingsError(`attestation: ${(e as Error).message}`);
    }
  }
  return s;
}

/** Values left undefined (an unset flag) are not settings: drop them, in nested objects too. */
function dropUndefined<T>(value: T): T {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = dropUndefined(v);
  return out as T;
}
