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
  /** Sessions one user may hold; a new login ends that user's least recently used one. */
  readonly sessionsPerUser: number;
  /** pam_faillock `deny`: failed logins that lock a user name (0 = never). */
  readonly faillockDeny: number;
  /** pam_faillock `unlock_time`: how long the lock lasts after the last failure. */
  readonly faillockUnlockMs: number;
  /** Password hashes computed at once, and how many may wait per user name. */
  readonly passwordChecksAtOnce: number;
  readonly passwordQueuePerUser: number;
  /** Open connections; at the cap a new one closes the oldest idle one (docs/rest.md). */
  readonly maxConnections: number;
  /** A connection that has not finished its TLS handshake, or sent a request's headers, in this time is closed. */
  readonly handshakeTimeoutMs: number;
  readonly headersTimeoutMs: number;
  /** Idle time allowed between two requests on one connection. */
  readonly keepAliveTimeoutMs: number;
  readonly maxRequestsPerSocket: number;
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
  sessionsPerUser: 16,
  faillockDeny: 3,
  faillockUnlockMs: 600_000,
  passwordChecksAtOnce: 1,
  passwordQueuePerUser: 16,
  maxConnections: 1000,
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxRequestsPerSocket: 100,
  tlsNames: [],
};

export function resolveRestSettings(options: RestOptions): RestSettings {
  const settings = { ...DEFAULT_REST_SETTINGS, ...options };
  if (!(settings.signWaitMs > 0)) throw new RangeError(`signWaitMs must be positive, got ${settings.signWaitMs}`);
  for (const name of ["sessionsPerUser", "passwordChecksAtOnce", "passwordQueuePerUser", "maxConnections", "handshakeTimeoutMs", "headersTimeoutMs", "keepAliveTimeoutMs", "maxRequestsPerSocket"] as const) {
    if (!(Number.isInteger(settings[name]) && settings[name] >= 1)) throw new RangeError(`${name} must be a positive integer, got ${settings[name]}`);
  }
  if (!(Number.isInteger(settings.faillockDeny) && settings.faillockDeny >= 0)) throw new RangeError(`faillockDeny must be 0 or more, got ${settings.faillockDeny}`);
  if (!(settings.bodyLimitBytes >= 1024)) throw new RangeError(`bodyLimitBytes must be at least 1024, got ${settings.bodyLimitBytes}`);
  return settings;
}

/** Whether only this machine can reach an address: 127.0.0.0/8, ::1, "localhost". */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1" || host.toLowerCase() === "::ffff:127.0.0.1";
}
