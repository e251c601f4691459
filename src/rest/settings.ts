/** What the REST front can be told, with bmcweb's defaults where bmcweb has one. */
import { isIP } from "node:net";
import { Type, type Static } from "@sinclair/typebox";
import { checkSettings } from "../settings/compile.js";

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

/** RestSettings as checked: one line per field, beside the interface above (the type check below keeps them equal). */
const RestSettingsSchema = Type.Object(
  {
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 0, maximum: 65_535 }),
    stateDir: Type.String({ minLength: 1 }),
    rootCertPath: Type.String({ pattern: "^/", expected: "an absolute path" }),
    signWaitMs: Type.Integer({ minimum: 1, maximum: 3_600_000 }),
    usersFile: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024 }),
    sessionIdleMs: Type.Integer({ minimum: 1000 }),
    sessionsPerUser: Type.Integer({ minimum: 1, maximum: 100_000 }),
    faillockDeny: Type.Integer({ minimum: 0, maximum: 1000 }),
    faillockUnlockMs: Type.Integer({ minimum: 100, maximum: 86_400_000 }),
    passwordChecksAtOnce: Type.Integer({ minimum: 1, maximum: 64 }),
    passwordQueuePerUser: Type.Integer({ minimum: 1, maximum: 10_000 }),
    maxConnections: Type.Integer({ minimum: 10, maximum: 100_000 }),
    handshakeTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
    headersTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
    keepAliveTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
    maxRequestsPerSocket: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    tlsNames: Type.Array(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _schemaMatchesInterface: Same<
  Static<typeof RestSettingsSchema>,
  { -readonly [K in keyof RestSettings]: RestSettings[K] extends readonly (infer E)[] ? E[] : RestSettings[K] }
> = true;
void _schemaMatchesInterface;

/** Defaults, then `options`; throws SettingsError naming the first value outside the schema. */
export function resolveRestSettings(options: RestOptions): RestSettings {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return checkSettings(
    RestSettingsSchema,
    { ...DEFAULT_REST_SETTINGS, ...given, tlsNames: [...(options.tlsNames ?? DEFAULT_REST_SETTINGS.tlsNames)] },
    { source: "REST settings" },
  );
}

/** Whether only this machine can reach an address: 127.0.0.0/8, ::1, "localhost". */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1" || host.toLowerCase() === "::ffff:127.0.0.1";
}
