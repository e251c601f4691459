/**
 * Daemon settings from defaults, a JSON file, the environment and flags, in that order
 * (later wins). Every value is checked here, so the daemon starts right or not at all.
 */
import { readFileSync } from "node:fs";
import { checkAttestationSettings, type AttestationSettings } from "../hooks/index.js";
import type { BridgeSettings } from "./cert-request-bridge.js";

/** `baud` on a tty sets the device speed; on a pty or stdio it paces our sending like a UART would. */
export type LinkSetting = { kind: "tty"; path: string; baud?: number } | { kind: "spawn"; command: string; baud?: number } | { kind: "stdio"; baud?: number };

export interface DaemonSettings {
  /** "system", "session" or a D-Bus address. */
  bus: string;
  link: LinkSetting | null;
  localEid: number;
  hostEid: number;
  tid: number;
  rootCertPath: string;
  /** Our own small state: the root-certificate change history. */
  spoolDir: string;
  responseTimeoutMs: number;
  retries: number;
  dbusTimeoutMs: number;
  bridge: Partial<BridgeSettings>;
  /** Record the link to this file (.pcapng or a text log). */
  trace: string | null;
  /** Attestation hooks and built-in checks (docs/daemon.md); null asks nobody. */
  attestation: AttestationSettings | null;
  /** Queue for the bus name behind an active daemon and take over when it goes (docs/redundancy.md). */
  standby: boolean;
}

export const DEFAULT_DAEMON_SETTINGS: DaemonSettings = {
  bus: "system",
  link: null,
  localEid: 8,
  hostEid: 9,
  tid: 1,
  rootCertPath: "/var/lib/bmcweb/RootCert",
  spoolDir: "/var/lib/pldm-hostbridge",
  responseTimeoutMs: 2000,
  retries: 2,
  dbusTimeoutMs: 5000,
  bridge: {},
  trace: null,
  attestation: null,
  standby: false,
};

export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

type Partial1 = Partial<DaemonSettings>;

/** HOSTBRIDGE_* variables; the names are in docs/daemon.md. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Partial1 {
  const s: Partial1 = {};
  if (env.HOSTBRIDGE_BUS) s.bus = env.HOSTBRIDGE_BUS;
  if (env.HOSTBRIDGE_TTY) s.link = { kind: "tty", path: env.HOSTBRIDGE_TTY, baud: env.HOSTBRIDGE_BAUD ? int("HOSTBRIDGE_BAUD", env.HOSTBRIDGE_BAUD, 50, 4_000_000) : undefined };
  if (env.HOSTBRIDGE_ROOT_CERT) s.rootCertPath = env.HOSTBRIDGE_ROOT_CERT;
  if (env.HOSTBRIDGE_SPOOL) s.spoolDir = env.HOSTBRIDGE_SPOOL;
  if (env.HOSTBRIDGE_LOCAL_EID) s.localEid = int("HOSTBRIDGE_LOCAL_EID", env.HOSTBRIDGE_LOCAL_EID, 8, 254);
  if (env.HOSTBRIDGE_HOST_EID) s.hostEid = int("HOSTBRIDGE_HOST_EID", env.HOSTBRIDGE_HOST_EID, 8, 254);
  return s;
}

export function settingsFromFile(path: string): Partial1 {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new SettingsError(`config ${path}: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new SettingsError(`config ${path}: expected a JSON object`);
  const known = new Set(Object.keys(DEFAULT_DAEMON_SETTINGS));
  for (const k of Object.keys(raw)) if (!known.has(k)) throw new SettingsError(`config ${path}: unknown setting "${k}"`);
  return raw as Partial1;
}

export function resolveSettings(...layers: Partial1[]): DaemonSettings {
  const s = { ...DEFAULT_DAEMON_SETTINGS };
  for (const l of layers) for (const [k, v] of Object.entries(l)) if (v !== undefined) (s as Record<string, unknown>)[k] = v;
  if (!s.link) throw new SettingsError("no link to the host: give --tty PATH, --spawn-host COMMAND or --stdio (or HOSTBRIDGE_TTY)");
  int("localEid", s.localEid, 8, 254);
  int("hostEid", s.hostEid, 8, 254);
  if (s.localEid === s.hostEid) throw new SettingsError("localEid and hostEid must differ");
  int("responseTimeoutMs", s.responseTimeoutMs, 10, 60_000);
  int("retries", s.retries, 0, 10);
  int("dbusTimeoutMs", s.dbusTimeoutMs, 100, 120_000);
  if (!s.rootCertPath.startsWith("/")) throw new SettingsError(`rootCertPath must be absolute, got ${s.rootCertPath}`);
  if (s.attestation !== null) s.attestation = attempt(() => checkAttestationSettings(s.attestation));
  return s;
}

function attempt<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    throw new SettingsError((e as Error).message);
  }
}

function int(name: string, v: unknown, min: number, max: number): number {
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) throw new SettingsError(`${name} must be a whole number from ${min} to ${max}, got ${String(v)}`);
  return n;
}
