/**
 * `hmc connect`: mutual TLS to the VMI with the enrolled credentials. The VMI is
 * trusted through the pinned roots (DIR/pins.json); it lets us in only when our client
 * certificate chains to a root it honours, then greets us and closes.
 */
import * as tls from "node:tls";
import { readCredentials } from "./credentials-dir.js";
import { readPins } from "./pinned-roots.js";

/** What one connection presents and trusts. */
export interface VmiClientIdentity {
  readonly certPem: string;
  readonly keyPem: string;
  /** Roots the VMI's server certificate may chain to. */
  readonly trustedRootPems: readonly string[];
}

export interface VmiConnectOptions {
  readonly host: string;
  readonly port: number;
  /** The credential folder; ignored when `identity` is given. */
  readonly dir: string;
  /** Connect with these instead of the folder's (to prove new credentials before keeping them). */
  readonly identity?: VmiClientIdentity;
  readonly timeoutMs?: number;
}

/** The folder's client certificate and key, trusting its pinned roots. Throws with the file at fault. */
export async function readIdentity(dir: string): Promise<VmiClientIdentity> {
  const [credentials, pins] = await Promise.all([readCredentials(dir), readPins(dir)]);
  return { certPem: credentials.certPem, keyPem: credentials.keyPem, trustedRootPems: pins.length > 0 ? pins.map((p) => p.pem) : [credentials.rootPem] };
}

export type VmiConnectFailure = "credentials" | "server-untrusted" | "refused" | "network" | "timeout";

export type VmiConnectOutcome =
  | { readonly ok: true; readonly greeting: string; readonly serverSubject: string; readonly protocol: string }
  | { readonly ok: false; readonly reason: VmiConnectFailure; readonly message: string };

const DEFAULT_TIMEOUT_MS = 10_000;

/** Never throws: every failure is an outcome with a reason a person can act on. */
export async function connectToVmi(options: VmiConnectOptions): Promise<VmiConnectOutcome> {
  let credentials: VmiClientIdentity;
  try {
    credentials = options.identity ?? (await readIdentity(options.dir));
  } catch (error) {
    return { ok: false, reason: "credentials", message: (error as Error).message };
  }
  return new Promise((resolve) => {
    let handshakeDone = false;
    let received = "";
    let serverSubject = "";
    let protocol = "";
    const settle = (outcome: VmiConnectOutcome) => {
      socket.destroy();
      resolve(outcome);
    };
    const socket = tls.connect({
      host: options.host,
      port: options.port,
      ca: [...credentials.trustedRootPems],
      cert: credentials.certPem,
      key: credentials.keyPem,
    });
    socket.setEncoding("utf8");
    socket.setTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, () =>
      settle({
        ok: false,
        reason: "timeout",
        message: `no ${handshakeDone ? "greeting" : "handshake"} from ${options.host}:${options.port} within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`,
      }),
    );
    socket.on("secureConnect", () => {
      handshakeDone = true;
      serverSubject = socket.getPeerX509Certificate()?.subject.split("\n").join(", ") ?? "";
      protocol = socket.getProtocol() ?? "";
    });
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => settle(failure(error, handshakeDone)));
    socket.on("end", () =>
      settle(
        received.startsWith("VMI OK")
          ? { ok: true, greeting: received.trim(), serverSubject, protocol }
          : {
              ok: false,
              reason: "refused",
              message: "the VMI refused our client certificate (closed without a greeting); it is not from the VMI's current root: enroll again",
            },
      ),
    );
  });
}

// OpenSSL verification codes Node puts in error.code when the server's chain fails our CA file.
const UNTRUSTED_SERVER_CODES = /^(UNABLE_TO_|CERT_|SELF_SIGNED|DEPTH_ZERO|ERR_TLS_CERT_ALTNAME)/;

function failure(error: NodeJS.ErrnoException, handshakeDone: boolean): VmiConnectOutcome {
  const code = error.code ?? "";
  if (UNTRUSTED_SERVER_CODES.test(code)) {
    return {
      ok: false,
      reason: "server-untrusted",
      message: `the VMI's certificate does not chain to a pinned root (${code}); the VMI has likely rebooted with a new root: renew (within the VMI's root grace) or enroll again`,
    };
  }
  // Under TLS 1.3 the client finishes first, so the VMI's refusal of our certificate arrives as an alert afterwards.
  if (handshakeDone || /alert|certificate/i.test(error.message)) {
    return {
      ok: false,
      reason: "refused",
      message: `the VMI refused our client certificate (${error.message}); it is not from the VMI's current root: enroll again`,
    };
  }
  return { ok: false, reason: "network", message: error.message };
}
