/** Whole PLDM messages: header + payload, built from and read into command definitions. */
import { DecodeError, EncodeError } from "../errors.js";
import type { AnyCommandDef, CommandDef, CommandRegistry } from "../wire/command.js";
import { decodePldmHeader, encodePldmHeader, PLDM_HEADER_SIZE, type PldmHeader } from "./header.js";
import { CompletionCode } from "./names.js";
import { restBytes } from "../wire/fields.js";
import { struct, type Struct } from "../wire/struct.js";
import { defaultRegistry } from "./registry.js";

export interface PldmMessage {
  header: PldmHeader;
  /** Responses only. */
  completionCode: number | null;
  /** The definition used, or null for a command this codec does not define. */
  def: CommandDef | null;
  /** Decoded fields, or null when `def` is null. */
  fields: Record<string, unknown> | null;
  /** The whole message as given (header included). */
  bytes: Uint8Array;
}

/**
 * After a failing code: pldmd's error shape when the bytes fit it exactly, otherwise
 * whatever came kept raw (a failure may carry any trailing bytes; libpldm ignores them).
 */
export const rawErrorTail = struct({ trailingBytes: restBytes });

/** The shape of a failing response's payload after its code; null = the code alone. */
export function errorShapeOf(def: AnyCommandDef, tailLength: number): Struct<Record<string, unknown>> | null {
  if (tailLength === 0) return null;
  return def.errorResponse && def.errorResponse.fixedSize === tailLength ? def.errorResponse : rawErrorTail;
}

/**
 * A response's payload: `ok` narrows to the command's fields after SUCCESS, or to the
 * failing code and its error fields (pldmd's shape, the raw tail, or none).
 */
export type ResponseOutcome<R> =
  { ok: true; completionCode: typeof CompletionCode.Success; fields: R } | { ok: false; completionCode: number; fields: Record<string, unknown> };

function decodeResponsePayload<R>(def: CommandDef<unknown, R>, b: Uint8Array): ResponseOutcome<R> {
  if (b.length < PLDM_HEADER_SIZE + 1) throw new DecodeError("truncated", "response has no completion code", b.length);
  const completionCode = b[PLDM_HEADER_SIZE]!;
  const start = PLDM_HEADER_SIZE + 1;
  if (completionCode === CompletionCode.Success) return { ok: true, completionCode, fields: def.response.decode(b, start) };
  const shape = errorShapeOf(def, b.length - start);
  return { ok: false, completionCode, fields: shape ? shape.decode(b, start) : {} };
}

/** Decodes any PLDM message. Throws DecodeError; an undefined command is not an error (def = null). */
export function decodePldmMessage(b: Uint8Array, registry: CommandRegistry = defaultRegistry): PldmMessage {
  const header = decodePldmHeader(b);
  const def = registry.get(header.type, header.command) ?? null;
  if (header.request) {
    return { header, completionCode: null, def, fields: def ? def.request.decode(b, PLDM_HEADER_SIZE) : null, bytes: b };
  }
  if (!def) {
    if (b.length <= PLDM_HEADER_SIZE) throw new DecodeError("truncated", "response has no completion code", b.length);
    return { header, completionCode: b[PLDM_HEADER_SIZE]!, def: null, fields: null, bytes: b };
  }
  const { completionCode, fields } = decodeResponsePayload(def, b);
  return { header, completionCode, def, fields, bytes: b };
}

function expectCommand(def: AnyCommandDef, h: PldmHeader, request: boolean): void {
  if (h.type !== def.type || h.command !== def.command) {
    throw new DecodeError("unknown-command", `expected ${def.name} (${def.type}/${def.command}), got ${h.type}/${h.command}`, 1);
  }
  if (h.request !== request) throw new DecodeError("reserved-value", `expected a ${request ? "request" : "response"}`, 0);
}

export function decodeRequest<Q, R>(def: CommandDef<Q, R>, b: Uint8Array): { header: PldmHeader; fields: Q } {
  const header = decodePldmHeader(b);
  expectCommand(def, header, true);
  return { header, fields: def.request.decode(b, PLDM_HEADER_SIZE) };
}

/** A decoded response: `if (r.ok)` gives the command's fields, typed. */
export type DecodedResponse<R> = { header: PldmHeader } & ResponseOutcome<R>;

export function decodeResponse<Q, R>(def: CommandDef<Q, R>, b: Uint8Array): DecodedResponse<R> {
  const header = decodePldmHeader(b);
  expectCommand(def, header, false);
  return { header, ...decodeResponsePayload(def, b) };
}

export function encodeRequest<Q, R>(def: CommandDef<Q, R>, fields: Q, opts: { instanceId: number; datagram?: boolean }): Uint8Array {
  const out = new Uint8Array(PLDM_HEADER_SIZE + def.request.sizeOf(fields));
  encodePldmHeader({ request: true, datagram: opts.datagram ?? false, instanceId: opts.instanceId, type: def.type, command: def.command }, out);
  def.request.encodeInto(out, PLDM_HEADER_SIZE, fields);
  return out;
}

export function encodeResponse<Q, R>(def: CommandDef<Q, R>, instanceId: number, fields: R): Uint8Array {
  const out = new Uint8Array(PLDM_HEADER_SIZE + 1 + def.response.sizeOf(fields));
  encodePldmHeader({ request: false, datagram: false, instanceId, type: def.type, command: def.command }, out);
  out[PLDM_HEADER_SIZE] = CompletionCode.Success;
  def.response.encodeInto(out, PLDM_HEADER_SIZE + 1, fields);
  return out;
}

/**
 * A failing response in pldmd's shape: the code plus zeroed error fields for commands
 * that have them (reads and writes), the code alone otherwise. Works for undefined
 * commands too (unknown command / type answers).
 */
export function encodeErrorResponse(
  to: { type: number; command: number; instanceId: number },
  completionCode: number,
  def: AnyCommandDef | null = null,
): Uint8Array {
  if (completionCode === CompletionCode.Success) throw new EncodeError("completionCode", "an error response cannot carry SUCCESS");
  const shape = def?.errorResponse ?? null;
  const out = new Uint8Array(PLDM_HEADER_SIZE + 1 + (shape ? shape.minSize : 0));
  encodePldmHeader({ request: false, datagram: false, instanceId: to.instanceId, type: to.type, command: to.command }, out);
  out[PLDM_HEADER_SIZE] = completionCode;
  return out;
}
