/**
 * Reading a JSON body as bmcweb's json_util::readJsonPatch/readJsonAction do: the
 * Content-Type must be JSON, the body an object, every property known, required ones
 * present, each of its type; otherwise 400 with the Base registry message that says so.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { messages, sendError, sendPropertyError } from "./redfish-messages.js";

export interface FieldSpec {
  readonly type: "string" | "array" | "object";
  readonly required: boolean;
}

export function isJsonContentType(request: FastifyRequest): boolean {
  return /^application\/json\s*(;|$)/i.test(request.headers["content-type"] ?? "");
}

function typeOf(value: unknown): FieldSpec["type"] | "other" {
  if (typeof value === "string") return "string";
  if (Array.isArray(value)) return "array";
  return value !== null && typeof value === "object" ? "object" : "other";
}

/** The body's fields, or undefined once a 400 has been sent. */
export function readJsonBody<T>(request: FastifyRequest, reply: FastifyReply, fields: Readonly<Record<string, FieldSpec>>): T | undefined {
  const body = request.body;
  if (!isJsonContentType(request) || typeOf(body) !== "object") {
    sendError(reply, 400, messages.unrecognizedRequestBody());
    return undefined;
  }
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record).find((name) => !(name in fields) && !name.startsWith("@odata."));
  if (unknown !== undefined) {
    sendPropertyError(reply, unknown, messages.propertyUnknown(unknown));
    return undefined;
  }
  for (const [name, spec] of Object.entries(fields)) {
    const value = record[name];
    if (value === undefined) {
      if (!spec.required) continue;
      sendPropertyError(reply, name, messages.propertyMissing(name));
      return undefined;
    }
    if (typeOf(value) !== spec.type) {
      sendPropertyError(reply, name, messages.propertyValueTypeError(JSON.stringify(value), name));
      return undefined;
    }
  }
  return record as T;
}
