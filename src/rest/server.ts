/**
 * The REST front: HTTPS, users and sessions, the IBM certificate routes, and JSON
 * errors for everything that goes wrong before a route runs (bad JSON, wrong types,
 * oversized bodies, unknown paths).
 */
import type { AddressInfo } from "node:net";
import Fastify, { LogController, type FastifyError } from "fastify";
import type { Logger } from "../log.js";
import { systemClock, type Clock } from "../os/clock.js";
import { registerSessionRoutes, type AuthContext } from "./auth.js";
import type { CertAuthority } from "./cert-authority.js";
import { registerIbmRoutes } from "./ibm-routes.js";
import { INTERNAL_SERVER_ERROR, sendDescription, type RestApp } from "./replies.js";
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

export async function startRestServer(options: RestOptions, authority: CertAuthority, logger: Logger, clock: Clock = systemClock): Promise<RestServer> {
  const settings = resolveRestSettings(options);
  const users = await loadUsers(settings);
  const tls = await loadOrCreateTlsIdentity(settings.stateDir, settings.host, settings.tlsNames, logger);
  const auth: AuthContext = { users, sessions: new SessionStore(clock, settings.sessionIdleMs, settings.maxSessions) };

  const app = Fastify({
    https: { key: tls.keyPem, cert: tls.certChainPem, minVersion: "TLSv1.2" },
    loggerInstance: logger,
    // One line per request from our onResponse hook instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: settings.bodyLimitBytes,
    requestTimeout: settings.signWaitMs + REQUEST_TIMEOUT_MARGIN_MS,
    forceCloseConnections: true,
    // Without this, ajv would turn {"CsrString": 42} into "42" instead of refusing it.
    ajv: { customOptions: { coerceTypes: false } },
  });
  installErrorReplies(app);
  app.addHook("onResponse", async (request, reply) => {
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, user: request.user?.username, ms: Math.round(reply.elapsedTime) }, "request");
  });
  app.decorateRequest("user", null);
  registerSessionRoutes(app, auth);
  registerIbmRoutes(app, { authority, auth, rootCertPath: settings.rootCertPath, signWaitMs: settings.signWaitMs });

  await app.listen({ host: settings.host, port: settings.port });
  const port = (app.server.address() as AddressInfo).port;
  const url = `https://${urlHost(settings.host)}:${port}`;
  logger.info({ url, ca: tls.caPath, rootCertPath: settings.rootCertPath, users: users.size }, "REST front listening");
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

/** Every failure answers {"Description"}; client mistakes say what was wrong, server faults do not. */
function installErrorReplies(app: RestApp): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) return sendDescription(reply, 400, `Bad Request: ${error.message}`);
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendDescription(reply, status, clientErrorDescription(error));
    request.log.error({ err: error }, "request failed");
    return sendDescription(reply, 500, INTERNAL_SERVER_ERROR);
  });
  app.setNotFoundHandler((_request, reply) => sendDescription(reply, 404, "Not Found"));
}

function clientErrorDescription(error: FastifyError): string {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return `Bad Request: malformed JSON: ${error.message}`;
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "Payload Too Large";
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "Unsupported Media Type: send Content-Type: application/json";
    default:
      return error.message;
  }
}
