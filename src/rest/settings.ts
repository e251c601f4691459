/** What the REST front can be told, with bmcweb's defaults where bmcweb has one. */
import { isIP } from "node:net";

export interface RestSettings {
  /** Listen address; anything but loopback needs a users file. */
  readonly host: string;
  /** 0 picks a free port (the chosen one is in the server's `port`). */
  readonly port: number;
  /** Where the BMC's TLS certificate and key are made on first run and kept. */
  readonly stateDir: string;
  /** The root certificate file the daemon writes; read on each request, like bmcweb. */
  readonly rootCertPath: string;
  /** How long SignCSR waits for the entry's Status to leave Pending. */
  readonly signWaitMs: number;
  /** JSON users file (docs/rest.md); null means the default user, allowed on loopback only. */
  readonly usersFile: string | null;
  /** Largest request body; a CSR is at most 4 KiB, so this leaves room for JSON and escapes. */
  readonly bodyLimitBytes: number;
  /** bmcweb drops a session after 30 minutes without use. */
  readonly sessionIdleMs: number;
  readonly maxSessions: number;
  /** Extra DNS names or IP addresses for the BMC's TLS certificate. */
  readonly tlsNames: readonly string[];
}

export type RestOptions = Partial<RestSettings> & Pick<RestSettings, "stateDir">;

export const DEFAULT_REST_SETTINGS: Omit<RestSettings, "stateDir"> = {
  host: "127.0.0.1",
  port: 443,
  rootCertPath: "/var/lib/bmcweb/RootCert",
  signWaitMs: 30_000,
  usersFile: null,
  bodyLimitBytes: 16 * 1024,
  sessionIdleMs: 30 * 60 * 1000,
  maxSessions: 64,
  tlsNames: [],
};

export function resolveRestSettings(options: RestOptions): RestSettings {
  const settings = { ...DEFAULT_REST_SETTINGS, ...options };
  if (!(settings.signWaitMs > 0)) throw new RangeError(`signWaitMs must be positive, got ${settings.signWaitMs}`);
  if (!(settings.bodyLimitBytes >= 1024)) throw new RangeError(`bodyLimitBytes must be at least 1024, got ${settings.bodyLimitBytes}`);
  return settings;
}

/** Whether only this machine can reach an address: 127.0.0.0/8, ::1, "localhost". */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1" || host.toLowerCase() === "::ffff:127.0.0.1";
}
