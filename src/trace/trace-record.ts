/**
 * One decoded message of a trace, in the JSON contract `hostbridge decode` prints
 * and other tools rely on. Absent values are null, never missing.
 */
import { DecodeError } from "../../pldm-codec/errors.js";
import { MctpMessageType } from "../../pldm-codec/mctp/packet.js";
import { pldmMessageToJson, type PldmJson } from "../../pldm-codec/pldm/json.js";
import { decodePldmMessage } from "../../pldm-codec/pldm/message.js";
import { toHex } from "./hex.js";

export interface TraceRecord {
  index: number;
  dir: "tx" | "rx" | null;
  /** ISO time when the trace carried one. */
  time: string | null;
  src: number | null;
  dest: number | null;
  tag: number | null;
  tagOwner: boolean | null;
  messageType: number | null;
  pldm: PldmJson | null;
  /** Body length for non-PLDM messages. */
  length?: number;
  error: string | null;
  raw: string;
  /** How this message pairs with others (filled by `pairExchanges`); null when not analysed. */
  exchange: ExchangeNote | null;
}

/** A request's or response's place in its exchange. */
export interface ExchangeNote {
  role: "request" | "response" | "datagram";
  /** Index of the matching response (on a request) or request (on a response); null when none. */
  peer: number | null;
  /** Response time from the first send of the request, when both carry a time. */
  latencyMs: number | null;
  /** 0 for a first send; n for the n-th resend with the same instance id. */
  retry: number;
}

export interface MctpMeta {
  dir?: "tx" | "rx" | null;
  time?: string | null;
  src: number | null;
  dest: number | null;
  tag: number | null;
  tagOwner: boolean | null;
}

const NO_META: MctpMeta = { src: null, dest: null, tag: null, tagOwner: null };

function base(index: number, meta: MctpMeta, messageType: number | null, raw: Uint8Array) {
  return {
    index,
    dir: meta.dir ?? null,
    time: meta.time ?? null,
    src: meta.src,
    dest: meta.dest,
    tag: meta.tag,
    tagOwner: meta.tagOwner,
    messageType,
    pldm: null,
    error: null,
    raw: toHex(raw),
    exchange: null,
  };
}

/** A bare PLDM message (header + payload). */
export function recordFromPldm(index: number, bytes: Uint8Array, meta: MctpMeta = NO_META): TraceRecord {
  const r: TraceRecord = base(index, meta, MctpMessageType.Pldm, bytes);
  try {
    r.pldm = pldmMessageToJson(decodePldmMessage(bytes));
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    r.error = `pldm ${e.message}`;
  }
  return r;
}

/** A whole MCTP message: type byte, then the body. */
export function recordFromMctpMessage(index: number, message: Uint8Array, meta: MctpMeta): TraceRecord {
  const type = message[0]! & 0x7f;
  if (type === MctpMessageType.Pldm) return recordFromPldm(index, message.subarray(1), meta);
  return { ...base(index, meta, type, message.subarray(1)), length: message.length - 1 };
}

/** Bytes that could not be decoded at all. */
export function errorRecord(index: number, raw: Uint8Array, error: string, meta: Partial<MctpMeta> = {}): TraceRecord {
  return { ...base(index, { ...NO_META, ...meta }, null, raw), error };
}
