/**
 * Who is asking, decided in onRequest, before the body is read (an unauthenticated
 * request never gets its body parsed), in bmcweb's order: X-Auth-Token, the SESSION
 * cookie (with X-XSRF-TOKEN on anything but GET), "Authorization: Token", HTTP Basic.
 * Basic runs a password check through the LoginGuard (lockout, bounded checks).
 * Routes say which privileges they need (bmcweb's OR of AND-sets); the hook answers
 * 401 or 403 before the route runs.
 */
import { timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { LoginGuard } from "./login-guard.js";
import { messages, sendError } from "./redfish-messages.js";
import type { RestApp } from "./replies.js";
import { SESSION_TOKEN_LENGTH, type Session, type SessionStore } from "./sessions.js";
import { PRIVILEGES_OF, type Privilege, type User, type UserDirectory } from "./users.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the authentication hook. */
    user: User | null;
    /** The session the request came with (null for Basic). */
    session: Session | null;
  }
  interface FastifyContextConfig {
    /** Any one of these sets of privileges lets the caller in; absent = no authentication at all. */
    privileges?: readonly (readonly Privilege[])[];
  }
}

export interface AuthContext {
  readonly users: UserDirectory;
  readonly sessions: SessionStore;
  readonly guard: LoginGuard;
}

/** Queue key shared by all names that are not users, so made-up names cannot take a queue each. */
const UNKNOWN_USERS_QUEUE = "\u0000unknown";

/** "Basic base64(user:password)" split at the first ':' (RFC 7617: passwords may hold ':'). */
export function parseBasicAuthorization(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export type PasswordCheck = { kind: "ok"; user: User } | { kind: "wrong" } | { kind: "locked" } | { kind: "busy" };

/** A password check as PAM would run it for bmcweb: lockout first, then the bounded hash. */
export async function checkPassword(auth: AuthContext, username: string, password: string): Promise<PasswordCheck> {
  const known = auth.users.has(username);
  const result = await auth.guard.check(username, known ? username : UNKNOWN_USERS_QUEUE, known, async () => {
    const user = await auth.users.authenticate(username, password);
    return { ok: user !== undefined, value: user };
  });
  if (result.kind !== "checked") return result;
  return result.value === undefined ? { kind: "wrong" } : { kind: "ok", user: result.value };
}

function sessionCookie(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === "SESSION") return value.join("=");
  }
  return undefined;
}

function sameToken(a: string, b: string): boolean {
  return a.length === SESSION_TOKEN_LENGTH && b.length === SESSION_TOKEN_LENGTH && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

type Identity = { user: User; session: Session | null } | { refused: PasswordCheck["kind"] } | undefined;

async function identify(request: FastifyRequest, auth: AuthContext): Promise<Identity> {
  const xToken = request.headers["x-auth-token"];
  if (typeof xToken === "string" && xToken !== "") {
    const session = auth.sessions.touch(xToken);
    if (session) return { user: session.user, session };
  }
  const cookie = sessionCookie(request.headers.cookie);
  if (cookie !== undefined) {
    const session = auth.sessions.touch(cookie);
    const csrf = request.headers["x-xsrf-token"];
    // Writes by cookie need the CSRF token; without it bmcweb goes on to the other methods.
    if (session && (request.method === "GET" || (typeof csrf === "string" && sameToken(csrf, session.csrfToken)))) return { user: session.user, session };
  }
  const authorization = request.headers.authorization;
  if (authorization?.startsWith("Token ")) {
    const session = auth.sessions.touch(authorization.slice("Token ".length));
    if (session) return { user: session.user, session };
  }
  const basic = parseBasicAuthorization(authorization);
  if (basic === undefined) return undefined;
  const checked = await checkPassword(auth, basic.username, basic.password);
  return checked.kind === "ok" ? { user: checked.user, session: null } : { refused: checked.kind };
}

/** bmcweb's 401: no body, and `WWW-Authenticate: Basic` unless the request came from a page script. */
export function sendUnauthorized(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (request.headers["x-requested-with"] === undefined) reply.header("WWW-Authenticate", "Basic");
  return reply.code(401).send();
}

export function hasPrivileges(user: User, anyOf: readonly (readonly Privilege[])[]): boolean {
  const held = PRIVILEGES_OF[user.role];
  return anyOf.some((set) => set.every((privilege) => held.includes(privilege)));
}

/**
 * The onRequest hook: routes without `config.privileges` (login, session creation) are
 * open; every other request, unknown paths included, must authenticate.
 */
export function installAuthentication(app: RestApp, auth: AuthContext): void {
  app.decorateRequest("user", null);
  app.decorateRequest("session", null);
  app.addHook("onRequest", async (request, reply) => {
    const required = request.routeOptions.config.privileges;
    if (required === undefined && request.is404 !== true) return;
    const identity = await identify(request, auth);
    if (identity === undefined || "refused" in identity) {
      if (identity?.refused === "busy") {
        request.log.warn({ url: request.url }, "password checks for this user are queued full; refusing");
        return sendError(reply.code(503).header("Retry-After", "1"), 503, messages.serviceTemporarilyUnavailable("1"));
      }
      if (identity?.refused === "locked") request.log.warn({ url: request.url }, "login refused: account locked after failed attempts");
      return sendUnauthorized(request, reply);
    }
    request.user = identity.user;
    request.session = identity.session;
    if (required !== undefined && !hasPrivileges(identity.user, required)) {
      request.log.info({ user: identity.user.username, role: identity.user.role, url: request.url }, "insufficient privilege");
      return sendError(reply, 403, messages.insufficientPrivilege());
    }
    return undefined;
  });
}
