/**
 * Who is asking: HTTP Basic on every request, or a session token from POST /login in
 * X-Auth-Token, as bmcweb takes them. Routes then say which role they need.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { sendDescription, type RestApp } from "./replies.js";
import type { SessionStore } from "./sessions.js";
import type { Role, User, UserDirectory } from "./users.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the authentication hook on routes that need a user. */
    user: User | null;
  }
}

export interface AuthContext {
  readonly users: UserDirectory;
  readonly sessions: SessionStore;
}

const TOKEN_HEADER = "x-auth-token";

/** "Basic base64(user:password)" split at the first ':' (RFC 7617: passwords may hold ':'). */
export function parseBasicAuthorization(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function identify(request: FastifyRequest, auth: AuthContext): Promise<User | undefined> {
  const token = request.headers[TOKEN_HEADER];
  if (typeof token === "string" && token !== "") return auth.sessions.touch(token);
  const basic = parseBasicAuthorization(request.headers.authorization);
  return basic === undefined ? undefined : auth.users.authenticate(basic.username, basic.password);
}

function unauthorized(reply: FastifyReply): FastifyReply {
  return sendDescription(reply.header("WWW-Authenticate", 'Basic realm="hostbridge"'), 401, "Unauthorized");
}

/** A preHandler that lets in users of `role` (Administrator passes every check) and answers 401 / 403 otherwise. */
export function requireRole(auth: AuthContext, role: Role): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  return async function checkRole(request, reply) {
    const user = await identify(request, auth);
    if (user === undefined) return unauthorized(reply);
    request.user = user;
    if (role === "Administrator" && user.role !== "Administrator") {
      return sendDescription(reply, 403, `Forbidden: ${user.username} has role ${user.role}; this resource needs Administrator`);
    }
    return undefined;
  };
}

interface LoginBody {
  username: string;
  password: string;
}

/** POST /login -> {"token"}; POST /logout and DELETE /login end the session in X-Auth-Token. */
export function registerSessionRoutes(app: RestApp, auth: AuthContext): void {
  app.post<{ Body: LoginBody }>(
    "/login",
    {
      schema: {
        body: {
          type: "object",
          required: ["username", "password"],
          properties: { username: { type: "string", minLength: 1, maxLength: 256 }, password: { type: "string", maxLength: 1024 } },
        },
      },
    },
    async (request, reply) => {
      const user = await auth.users.authenticate(request.body.username, request.body.password);
      if (user === undefined) return sendDescription(reply, 401, "Invalid username or password");
      request.log.info({ user: user.username }, "session created");
      return reply.code(200).send({ token: auth.sessions.create(user) });
    },
  );
  const logout = async (request: FastifyRequest, reply: FastifyReply) => {
    const token = request.headers[TOKEN_HEADER];
    if (typeof token !== "string" || !auth.sessions.delete(token)) return unauthorized(reply);
    return reply.code(200).send({ status: "ok" });
  };
  app.post("/logout", logout);
  app.delete("/login", logout);
}
