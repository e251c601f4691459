/**
 * Daemon settings from defaults, a JSON file, the environment and flags, in that order
 * (later wins). Every layer and the result are checked against one schema
 * (daemon-settings-schema.ts, by its generated validators), so the daemon starts right or not at all.
 */
import { readFileSync } from "node:fs";
import { checkWith, SettingsError, type SettingsSource } from "../settings/check.js";
import { checkAttestationSettings } from "../hooks/index.js";
import type { DaemonSettings, DaemonSettingsLayer } from "./daemon-settings-schema.js";
import * as generated from "./daemon-settings.validators.js";

export { SettingsError };
export type { DaemonSettings, DaemonSettingsLayer, LinkSetting } from "./daemon-settings-schema.js";

/** The schema's defaults. */
export const DEFAULT_DAEMON_SETTINGS: DaemonSettings = Object.freeze(generated.DEFAULT_SETTINGS);

/** HOSTBRIDGE_* variables (docs/daemon.md) by the setting each one sets (daemon-settings-schema.ts). */
const ENV_NAMES = generated.ENV_NAMES;

export function settingsFromEnv(env: NodeJS.ProcessEnv): DaemonSettingsLayer {
  const layer: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(ENV_NAMES)) {
    const value = env[variable];
    if (value === undefined || value === "" || key.startsWith("link.")) continue;
    layer[key] = value;
  }
  if (env.HOSTBRIDGE_TTY) layer.link = dropUndefined({ kind: "tty", path: env.HOSTBRIDGE_TTY, baud: env.HOSTBRIDGE_BAUD || undefined });
  return checkWith(generated.validateEnvLayer, generated.ENV_LAYER_SCHEMA, layer, { source: "environment", names: ENV_NAMES, coerce: true });
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

/** Checks one layer (a file, flags, a caller's options) against the schema; `names` spells keys as that source does. */
export function checkLayer(layer: unknown, from: SettingsSource): DaemonSettingsLayer {
  return checkWith(generated.validateLayer, generated.SETTINGS_SCHEMA, dropUndefined(layer), from);
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
  checkWith(generated.validateSettings, generated.SETTINGS_SCHEMA, s, { source: "" });
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
