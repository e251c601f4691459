/**
 * The VMI's mutual-TLS endpoint: what the HMC connects to with the client
 * certificate it obtained through the BMC. Only clients whose certificate chains
 * to the current VMI root (or a previous one still in grace) get past the handshake;
 * each is greeted with its subject and the connection is closed.
 */
import type { AddressInfo, Socket } from "node:net";
import * as tls from "node:tls";
import { silentLogger, type Logger } from "../src/log.js";
import type { VmiCa, VmiTrust } from "./vmi-ca.js";

export interface VmiRootCredentials {
  readonly certPem: string;
  /** Previous roots still honoured for client certificates (a root grace). */
  readonly gracePems?: readonly string[];
}

export interface VmiServerCredentials {
  /** The server certificate, optionally followed by cross certificates to earlier roots. */
  readonly certPem: string;
  readonly keyPem: string;
}

export interface VmiTlsServerOptions {
  /** Defaults to 127.0.0.1: the simulated VMI is never meant to be reachable from elsewhere. */
  readonly host?: string;
  /** 0 picks any free port; the chosen one is in `VmiTlsServer.port`. */
  readonly port: number;
  readonly root: VmiRootCredentials;
  readonly server: VmiServerCredentials;
  /** A client that has not finished its handshake by then is dropped. */
  readonly handshakeTimeoutMs?: number;
  readonly logger?: Logger;
}

export interface VmiTlsStats {
  /** Clients that presented a certificate from the current root and were greeted. */
  readonly accepted: number;
  /** Handshakes that failed: no client certificate, another root, protocol errors, time-outs. */
  readonly rejected: number;
  /** Roots whose client certificates are accepted now (1 + those in grace). */
  readonly clientRoots: number;
}

export interface VmiTlsServer {
  readonly port: number;
  readonly stats: VmiTlsStats;
  /** Switches to a new root and server certificate (the VMI makes a new root at each boot); affects new connections. */
  updateCredentials(root: VmiRootCredentials, server: VmiServerCredentials): void;
  /** Stops listening and drops connections still open. */
  close(): Promise<void>;
}

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

function secureContextOptions(root: VmiRootCredentials, server: VmiServerCredentials): tls.SecureContextOptions {
  return { ca: [root.certPem, ...(root.gracePems ?? [])], cert: server.certPem, key: server.keyPem, minVersion: "TLSv1.2" };
}

/** The greeting line: the client's subject as "CN=hmc-1, O=IBM". */
export function vmiGreeting(subject: string): string {
  return `VMI OK ${subject}\n`;
}

export async function startVmiTlsServer(options: VmiTlsServerOptions): Promise<VmiTlsServer> {
  const log = options.logger ?? silentLogger;
  const stats = { accepted: 0, rejected: 0, clientRoots: 1 + (options.root.gracePems?.length ?? 0) };
  // Raw sockets from accept on, so close() also drops clients still in their handshake.
  const open = new Set<Socket>();

  const server = tls.createServer({
    ...secureContextOptions(options.root, options.server),
    // OpenSSL itself refuses a client without a certificate (alert "certificate required");
    // Node checks the chain right after the handshake and drops a client from another root.
    requestCert: true,
    rejectUnauthorized: true,
    handshakeTimeout: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
  });

  server.on("connection", (socket: Socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  });

  server.on("secureConnection", (socket: tls.TLSSocket) => {
    socket.on("error", (error) => log.debug({ err: error }, "vmi tls: client socket error"));
    // rejectUnauthorized guarantees a verified certificate here; OpenSSL writes its subject one attribute per line.
    const subject = socket.getPeerX509Certificate()?.subject.split("\n").join(", ") ?? "";
    stats.accepted++;
    log.info({ subject, remote: socket.remoteAddress }, "vmi tls: client accepted");
    socket.write(vmiGreeting(subject));
    // Ending in the tick the TLS 1.3 handshake completes garbles Node's close_notify next to
    // the session tickets it is still sending (openssl s_client: decode_error, unexpected eof).
    setImmediate(() => socket.end());
  });

  server.on("tlsClientError", (error, socket) => {
    stats.rejected++;
    log.info({ reason: error.message, remote: socket.remoteAddress }, "vmi tls: handshake refused");
    // Node has already failed the handshake; destroying here keeps the bound explicit.
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => log.error({ err: error }, "vmi tls: server error"));

  return {
    port: (server.address() as AddressInfo).port,
    get stats() {
      return { ...stats };
    },
    updateCredentials(root, serverCredentials) {
      // setSecureContext throws on a bad key or certificate before anything is replaced.
      server.setSecureContext(secureContextOptions(root, serverCredentials));
      stats.clientRoots = 1 + (root.gracePems?.length ?? 0);
      log.info({ clientRoots: stats.clientRoots }, "vmi tls: credentials updated");
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      });
    },
  };
}

/** The endpoint's credentials for a moment of the CA's trust. */
function credentialsOf(trust: VmiTrust): [VmiRootCredentials, VmiServerCredentials] {
  const [current, ...grace] = trust.clientRoots;
  return [
    { certPem: current!, gracePems: grace },
    { certPem: trust.serverChainPem, keyPem: trust.serverKeyPem },
  ];
}

export interface VmiTrustFollower {
  /** Call after every boot (a new root); also re-run by itself when a grace ends. */
  update(): void;
  close(): void;
}

/** Keeps the endpoint on the CA's trust: new roots at boots, previous roots dropped when their grace ends. */
export function followVmiTrust(server: VmiTlsServer, ca: VmiCa): VmiTrustFollower {
  let timer: NodeJS.Timeout | null = null;
  const update = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    const trust = ca.trustAt();
    server.updateCredentials(...credentialsOf(trust));
    if (trust.changesAtMs !== null) {
      // A grace ending up to a few ms late only keeps an old root that long; never early.
      timer = setTimeout(update, Math.max(0, trust.changesAtMs - Date.now()) + 5);
      timer.unref();
    }
  };
  return {
    update,
    close: () => {
      if (timer) clearTimeout(timer);
    },
  };
}
