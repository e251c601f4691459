/**
 * Logging in and out as bmcweb does (include/login_routes.hpp, redfish-core session
 * service): POST /login with {"username","password"} answers {"token"}; with
 * {"data":[user,password]} (phosphor-rest) it answers with SESSION and XSRF-TOKEN
 * cookies; POST /logout; POST /redfish/v1/SessionService/Sessions answers 201 with
 * X-Auth-Token and Location; the session resource can be read and deleted.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { checkPassword, type AuthContext } from "./auth.js";
import { allowOnly, type RestApp } from "./replies.js";
import { messages, sendError } from "./redfish-messages.js";
import { isJsonContentType, readJsonBody } from "./request-body.js";
import type { Session } from "./sessions.js";

export const SESSIONS_PATH = "/redfish/v1/SessionService/Sessions";

interface Credentials {
  readonly username: string;
  readonly password: string;
  /** bmcweb's looksLikePhosphorRest: answer with cookies instead of a token. */
  readonly phosphorRest: boolean;
}

const asString = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** Where /login finds the user name and password, in bmcweb's order. */
function loginCredentials(request: FastifyRequest): Credentials | undefined {
  if (!isJsonContentType(request)) {
    const username = asString(request.headers.username);
    const password = asString(request.headers.password);
    return username && password ? { username, password, phosphorRest: false } : undefined;
  }
  const body = (request.body ?? {}) as Record<string, unknown>;
  if ("username" in body && "password" in body) {
    const username = asString(body.username);
    const password = asString(body.password);
    return username && password ? { username, password, phosphorRest: false } : undefined;
  }
  const data = body.data;
  if (Array.isArray(data) && data.length === 2) {
    const [username, password] = data.map(asString);
    return username && password ? { username, password, phosphorRest: true } : undefined;
  }
  if (data !== null && typeof data === "object") {
    const { username, password } = data as Record<string, unknown>;
    const [u, p] = [asString(username), asString(password)];
    return u && p ? { username: u, password: p, phosphorRest: false } : undefined;
  }
  return undefined;
}

function sessionResource(session: Session, request: FastifyRequest): Record<string, unknown> {
  return {
    "@odata.id": `${SESSIONS_PATH}/${session.id}`,
    "@odata.type": "#Session.v1_5_0.Session",
    ClientOriginIPAddress: request.ip,
    Description: "Manager User Session",
    Id: session.id,
    Name: "User Session",
    UserName: session.user.username,
  };
}

type LoginResult = { kind: "session"; session: Session } | { kind: "refused" } | { kind: "busy"; reply: FastifyReply };

/** A password check and a new session; "busy" has already answered 503. */
async function logIn(auth: AuthContext, request: FastifyRequest, reply: FastifyReply, username: string, password: string): Promise<LoginResult> {
  const checked = await checkPassword(auth, username, password);
  if (checked.kind === "busy") return { kind: "busy", reply: sendError(reply.header("Retry-After", "1"), 503, messages.serviceTemporarilyUnavailable("1")) };
  if (checked.kind !== "ok") {
    request.log.warn({ user: username, why: checked.kind }, "login failed");
    return { kind: "refused" };
  }
  const session = auth.sessions.create(checked.user);
  request.log.info({ user: username, session: session.id }, "session created");
  return { kind: "session", session };
}

export function registerSessionRoutes(app: RestApp, auth: AuthContext): void {
  app.post("/login", async (request, reply) => {
    const credentials = loginCredentials(request);
    if (credentials === undefined) return reply.code(400).send();
    const result = await logIn(auth, request, reply, credentials.username, credentials.password);
    if (result.kind === "busy") return result.reply;
    if (result.kind === "refused") return reply.code(401).send();
    const { session } = result;
    if (!credentials.phosphorRest) return reply.send({ token: session.token });
    reply.header("Set-Cookie", [`XSRF-TOKEN=${session.csrfToken}; SameSite=Strict; Secure`, `SESSION=${session.token}; SameSite=Strict; Secure; HttpOnly`]);
    return reply.send({ data: `User '${credentials.username}' logged in`, message: "200 OK", status: "ok" });
  });

  app.post("/logout", { config: { privileges: [[]] } }, async (request, reply) => {
    if (request.session !== null) auth.sessions.delete(request.session.token);
    reply.header("Set-Cookie", "SESSION=; SameSite=Strict; Secure; HttpOnly; expires=Thu, 01 Jan 1970 00:00:00 GMT");
    return reply.send({ data: `User '${request.user?.username ?? ""}' logged out`, message: "200 OK", status: "ok" });
  });

  app.post(SESSIONS_PATH, async (request, reply) => {
    const body = readJsonBody<{ UserName: string; Password: string }>(request, reply, {
      UserName: { type: "string", required: true },
      Password: { type: "string", required: true },
      Context: { type: "string", required: false },
    });
    if (body === undefined) return reply;
    const result = await logIn(auth, request, reply, body.UserName, body.Password);
    if (result.kind === "busy") return result.reply;
    if (result.kind === "refused") return sendError(reply, 401, messages.resourceAtUriUnauthorized(request.url, "Invalid username or password"));
    const { session } = result;
    reply.header("X-Auth-Token", session.token).header("Location", `${SESSIONS_PATH}/${session.id}`);
    return reply.code(201).send(sessionResource(session, request));
  });

  app.get(SESSIONS_PATH, { config: { privileges: [["Login"]] } }, async (request) => {
    const mine = auth.sessions.list(request.user?.role === "Administrator" ? undefined : request.user?.username);
    return {
      "@odata.id": SESSIONS_PATH,
      "@odata.type": "#SessionCollection.SessionCollection",
      Description: "Session Collection",
      Members: mine.map((s) => ({ "@odata.id": `${SESSIONS_PATH}/${s.id}` })),
      "Members@odata.count": mine.length,
      Name: "Session Collection",
    };
  });

  const own = (request: FastifyRequest<{ Params: { id: string } }>) => {
    const session = auth.sessions.byId(request.params.id);
    const mayManage = request.user?.role === "Administrator" || session?.user.username === request.user?.username;
    return session !== undefined && mayManage ? session : undefined;
  };
  const notFound = (reply: FastifyReply, id: string) => sendError(reply, 404, messages.resourceNotFound("Session", id));
  app.get<{ Params: { id: string } }>(`${SESSIONS_PATH}/:id`, { config: { privileges: [["Login"]] } }, async (request, reply) => {
    const session = own(request);
    return session ? reply.send(sessionResource(session, request)) : notFound(reply, request.params.id);
  });
  app.delete<{ Params: { id: string } }>(`${SESSIONS_PATH}/:id`, { config: { privileges: [["Login"]] } }, async (request, reply) => {
    const session = own(request);
    if (!session) return notFound(reply, request.params.id);
    auth.sessions.delete(session.token);
    return reply.send({});
  });

  allowOnly(app, "/login", ["POST"]);
  allowOnly(app, "/logout", ["POST"]);
  allowOnly(app, SESSIONS_PATH, ["GET", "POST"]);
  allowOnly(app, `${SESSIONS_PATH}/:id`, ["GET", "DELETE"]);
}
