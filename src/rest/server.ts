/**
 * The REST front: HTTPS, users and sessions, the IBM certificate routes, and JSON
 * errors for everything that goes wrong before a route runs (bad JSON, wrong types,
 * oversized bodies, unknown paths).
 */
import type { AddressInfo } from "node:net";
import Fastify, { LogController, type FastifyError } from "fastify";
import type { Logger } from "../log.js";
import { systemClock, type Clock } from "../os/clock.js";
import { installAuthentication, type AuthContext } from "./auth.js";
import type { CertAuthority } from "./cert-authority.js";
import { ConnectionGuard } from "./connection-guard.js";
import { registerIbmRoutes } from "./ibm-routes.js";
import { LoginGuard } from "./login-guard.js";
import { messages, sendError } from "./redfish-messages.js";
import { installBmcwebReplies, sendDescription, type RestApp } from "./replies.js";
import { registerRedfishRoot } from "./redfish-root.js";
import { registerSessionRoutes } from "./session-routes.js";
import { SessionStore } from "./sessions.js";
import { isLoopbackHost, resolveRestSettings, type RestOptions, type RestSettings } from "./settings.js";
import { loadOrCreateTlsIdentity } from "./tls-identity.js";
import { defaultUsers, loadUsersFile, type UserDirectory } from "./users.js";

export interface RestServer {
  /** e.g. "https://127.0.0.1:40123" */
  readonly url: string;
  readonly port: number;
  /** The CA file a client passes to trust this server (`curl --cacert`). */
  readonly caPath: string;
  readonly settings: RestSettings;
  /** Stops listening and drops open connections (a SignCSR still waiting is cut off). */
  close(): Promise<void>;
}

export class RestConfigError extends Error {
  override readonly name = "RestConfigError";
}

// Room beyond the sign wait for the CA side to clean up and the answer to go out.
const REQUEST_TIMEOUT_MARGIN_MS = 15_000;

/** Mozilla "intermediate" (v5.7): TLS 1.3 suites as they are, TLS 1.2 only with ECDHE/DHE and an AEAD cipher. */
export const TLS_CIPHERS = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
  "DHE-RSA-AES128-GCM-SHA256",
  "DHE-RSA-AES256-GCM-SHA384",
  "DHE-RSA-CHACHA20-POLY1305",
].join(":");

export async function startRestServer(options: RestOptions, authority: CertAuthority, logger: Logger, clock: Clock = systemClock): Promise<RestServer> {
  const settings = resolveRestSettings(options);
  const users = await loadUsers(settings);
  const tls = await loadOrCreateTlsIdentity(settings.stateDir, settings.host, settings.tlsNames, logger);
  const guard = new LoginGuard(
    {
      deny: settings.faillockDeny,
      unlockTimeMs: settings.faillockUnlockMs,
      checksAtOnce: settings.passwordChecksAtOnce,
      queuePerUser: settings.passwordQueuePerUser,
    },
    clock,
  );
  const auth: AuthContext = { users, sessions: new SessionStore(clock, settings.sessionIdleMs, settings.sessionsPerUser), guard };

  const requestTimeout = settings.signWaitMs + REQUEST_TIMEOUT_MARGIN_MS;
  const app = Fastify({
    https: { key: tls.keyPem, cert: tls.certChainPem, minVersion: "TLSv1.2", ciphers: TLS_CIPHERS, handshakeTimeout: settings.handshakeTimeoutMs },
    loggerInstance: logger,
    // One line per request from our onResponse hook instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: settings.bodyLimitBytes,
    requestTimeout,
    // Socket inactivity: a SignCSR waiting on the host is inactive too, so no shorter than a request.
    connectionTimeout: requestTimeout,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    maxRequestsPerSocket: settings.maxRequestsPerSocket,
    forceCloseConnections: true,
    // bmcweb serves /ibm/v1/ and /ibm/v1 alike.
    routerOptions: { ignoreTrailingSlash: true },
    // Without this, ajv would turn {"CsrString": 42} into "42" instead of refusing it.
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.server.headersTimeout = settings.headersTimeoutMs;
  const connections = new ConnectionGuard(app.server, settings.maxConnections, settings.headersTimeoutMs, logger, clock);
  installErrorReplies(app);
  installBmcwebReplies(app);
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      { method: request.method, url: request.url, status: reply.statusCode, user: request.user?.username, ms: Math.round(reply.elapsedTime) },
      "request",
    );
  });
  installAuthentication(app, auth);
  registerSessionRoutes(app, auth);
  registerRedfishRoot(app);
  registerIbmRoutes(app, { authority, rootCertPath: settings.rootCertPath, signWaitMs: settings.signWaitMs });

  await app.listen({ host: settings.host, port: settings.port });
  const port = (app.server.address() as AddressInfo).port;
  const url = `https://${urlHost(settings.host)}:${port}`;
  logger.info({ url, ca: tls.caPath, rootCertPath: settings.rootCertPath, users: users.size, maxConnections: settings.maxConnections }, "REST front listening");
  void connections;
  return { url, port, caPath: tls.caPath, settings, close: () => app.close() };
}

/** Configured users, or the default one, which is refused anywhere but loopback. */
async function loadUsers(settings: RestSettings): Promise<UserDirectory> {
  if (settings.usersFile !== null) return loadUsersFile(settings.usersFile);
  if (!isLoopbackHost(settings.host)) {
    throw new RestConfigError(`refusing to listen on ${settings.host} with the default user: configure a users file (docs/rest.md)`);
  }
  return defaultUsers();
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Failures before a route runs, as bmcweb answers them: malformed JSON and a body that is
 * not JSON are 400 with the Base registry message, an oversized body 413, server faults
 * 500 InternalError; unknown paths 404.
 */
function installErrorReplies(app: RestApp): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    switch (error.code) {
      case "FST_ERR_CTP_INVALID_JSON_BODY":
      case "FST_ERR_CTP_EMPTY_JSON_BODY":
        return sendError(reply, 400, messages.malformedJSON());
      case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
        return sendError(reply, 400, messages.unrecognizedRequestBody());
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return sendDescription(reply, 413, "Payload Too Large");
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendDescription(reply, status, error.message);
    request.log.error({ err: error }, "request failed");
    return sendError(reply, 500, messages.internalError());
  });
  app.setNotFoundHandler((_request, reply) => sendDescription(reply, 404, "Not Found"));
}
