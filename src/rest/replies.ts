/** What every route module shares: the app's type and bmcweb's error shape, {"Description": "..."}. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Logger } from "../log.js";

/** The REST front's fastify instance: HTTPS, with our pino logger. */
export type RestApp = FastifyInstance<HttpsServer, IncomingMessage, ServerResponse, Logger>;

export const INTERNAL_SERVER_ERROR = "Internal Server Error";

export function sendDescription(reply: FastifyReply, status: number, description: string): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").send({ Description: description });
}
