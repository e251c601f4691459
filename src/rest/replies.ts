/**
 * What every route module shares: the app's type, the IBM routes' {"Description"} error
 * shape, and bmcweb's way of writing every answer: JSON with keys sorted and two-space
 * indent (nlohmann::json dump(2), ASCII only), `Content-Type: application/json`, its
 * security headers, an ETag on JSON answers to GET (304 on If-None-Match), and 405 with
 * `Allow` for a method a path does not serve.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Logger } from "../log.js";

/** The REST front's fastify instance: HTTPS, with our pino logger. */
export type RestApp = FastifyInstance<HttpsServer, IncomingMessage, ServerResponse, Logger>;

export const INTERNAL_SERVER_ERROR = "Internal Server Error";

export function sendDescription(reply: FastifyReply, status: number, description: string): FastifyReply {
  return reply.code(status).type("application/json").send({ Description: description });
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** nlohmann::json's dump(2, ' ', true): std::map key order, two spaces, \u escapes past ASCII. */
export function bmcwebJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Strict-Transport-Security": "max-age=31536000; includeSubdomains",
  Pragma: "no-cache",
  "Cache-Control": "no-store, max-age=0",
  "X-Content-Type-Options": "nosniff",
};

const ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export function installBmcwebReplies(app: RestApp): void {
  app.setReplySerializer((payload) => bmcwebJson(payload));
  app.addHook("onSend", async (request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    if (typeof payload === "string" && String(reply.getHeader("content-type") ?? "").startsWith("application/json")) {
      reply.header("Content-Type", "application/json");
      if (request.method === "GET" && reply.statusCode === 200) {
        const etag = `"${createHash("sha256").update(payload).digest("hex").slice(0, 16).toUpperCase()}"`;
        reply.header("ETag", etag);
        if (request.headers["if-none-match"] === etag) {
          reply.code(304);
          return "";
        }
      }
    }
    return payload;
  });
}

/** Answers 405 with `Allow` for every method `path` does not serve (after authentication, as bmcweb routes). */
export function allowOnly(app: RestApp, path: string, served: readonly (typeof ALL_METHODS)[number][]): void {
  const others = ALL_METHODS.filter((method) => !served.includes(method));
  if (others.length === 0) return;
  app.route({
    method: others,
    url: path,
    config: { privileges: [[]] },
    handler: async (_request, reply) => reply.code(405).header("Allow", served.join(", ")).send(),
  });
}
