/**
 * One decoded message of a trace, in the JSON contract `hostbridge decode` prints
 * and other tools rely on. Absent values are null, never missing. Hex text (`raw`, and
 * the `data` of file I/O fields, a HexBytes) is made only when serialised: the text output
 * never needs it, and at 100,000 messages a second it was most of the garbage.
 */
import { DecodeError } from "../../pldm-codec/errors.js";
import { MctpMessageType } from "../../pldm-codec/mctp/packet.js";
import { pldmMessageToJson, type PldmJson } from "../../pldm-codec/pldm/json.js";
import { decodePldmMessage, type PldmMessage } from "../../pldm-codec/pldm/message.js";
import { completionCodeName, PLDM_TYPE_NAMES, PldmType } from "../../pldm-codec/pldm/names.js";
import { commandName } from "../../pldm-codec/pldm/registry.js";
import { view } from "../../pldm-codec/wire/byte-pool.js";
import { HexBytes, toHex } from "./hex.js";
import { timeToMs } from "./time.js";

/** The codec's JSON, plus how a vendor (OEM) message was read. */
export interface TracePldm extends PldmJson {
  /** Type 0x3F is vendor-defined: "ibm-file-io" when the message fits IBM's file I/O commands, else null. */
  interpretation: "ibm-file-io" | null;
  /** Why a vendor message was not read as IBM's command of that number, when it was not. */
  note: string | null;
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
  /** `time` in milliseconds, when the reader already has it (saves parsing the text again). */
  ms?: number | null;
  src: number | null;
  dest: number | null;
  tag: number | null;
  tagOwner: boolean | null;
  /** The trace's author cut the bytes short (a line ending in "..."). */
  truncated?: boolean;
}

const NO_META: MctpMeta = { src: null, dest: null, tag: null, tagOwner: null };

export class TraceRecord {
  index = 0;
  dir: "tx" | "rx" | null;
  /** ISO time when the trace carried one. */
  time: string | null;
  src: number | null;
  dest: number | null;
  tag: number | null;
  tagOwner: boolean | null;
  messageType: number | null;
  pldm: TracePldm | null = null;
  /** Body length for non-PLDM messages. */
  length?: number;
  error: string | null = null;
  /** How this message pairs with others (filled by the exchange tracker); null when not analysed. */
  exchange: ExchangeNote | null = null;
  /** The bytes end where the trace's author cut them ("..."): decoded as far as they go. */
  truncated: boolean;
  /** Not part of the JSON: `time` in milliseconds for latency, and the bytes behind `raw`. */
  readonly timeMs: number | null;
  readonly bytes: Uint8Array;
  /** Held back by the exchange tracker until its exchange settles. */
  awaiting = false;
  private rawHex: string | undefined;

  constructor(meta: MctpMeta, messageType: number | null, bytes: Uint8Array) {
    this.dir = meta.dir ?? null;
    this.time = meta.time ?? null;
    this.timeMs = meta.ms ?? (meta.time ? timeToMs(meta.time) : null);
    this.src = meta.src;
    this.dest = meta.dest;
    this.tag = meta.tag;
    this.tagOwner = meta.tagOwner;
    this.messageType = messageType;
    this.truncated = meta.truncated ?? false;
    this.bytes = bytes;
  }

  get raw(): string {
    return (this.rawHex ??= toHex(this.bytes));
  }

  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = {
      index: this.index,
      dir: this.dir,
      time: this.time,
      src: this.src,
      dest: this.dest,
      tag: this.tag,
      tagOwner: this.tagOwner,
      messageType: this.messageType,
      pldm: this.pldm,
      error: this.error,
      raw: this.raw,
      exchange: this.exchange,
      truncated: this.truncated,
    };
    if (this.length !== undefined) o.length = this.length;
    return o;
  }
}

/** A JSON string literal: names, times and notes seldom need escaping, and checking is cheaper than JSON.stringify. */
function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return JSON.stringify(s);
  }
  return `"${s}"`;
}

const json = (v: string | null) => (v === null ? "null" : jsonString(v));

/** One value as JSON.stringify writes it inside an object; undefined when it leaves the key out. */
function jsonValue(v: unknown): string | undefined {
  switch (typeof v) {
    case "number":
      return Number.isFinite(v) ? String(v) : "null";
    case "string":
      return jsonString(v);
    case "boolean":
      return v ? "true" : "false";
    case "object":
      if (v === null) return "null";
      // Hex digits only: no escaping to look for in a few kilobytes of certificate.
      if (v instanceof HexBytes) return `"${v.toJSON()}"`;
      return JSON.stringify(v);
    default:
      return JSON.stringify(v);
  }
}

function fieldsJson(fields: Record<string, unknown>): string {
  let s = "";
  for (const k in fields) {
    const v = jsonValue(fields[k]);
    if (v !== undefined) s += `${s ? "," : ""}${jsonString(k)}:${v}`;
  }
  return `{${s}}`;
}

/** `JSON.stringify(p)`, written by hand: a generic stringify of every message was most of the JSON output's time. */
function pldmToJson(p: TracePldm): string {
  return (
    `{"request":${p.request},"datagram":${p.datagram},"instanceId":${p.instanceId},"type":${p.type},"typeName":${json(p.typeName)},` +
    `"command":${p.command},"commandName":${json(p.commandName)},"completionCode":${p.completionCode},` +
    `"completionCodeName":${json(p.completionCodeName)},"fields":${p.fields === null ? "null" : fieldsJson(p.fields)},` +
    `"interpretation":${json(p.interpretation)},"note":${json(p.note)}}`
  );
}

/**
 * One record as a JSON line, the same text `JSON.stringify(record)` gives, written by hand:
 * the record's shape is fixed, and the hex of `raw` never needs escaping.
 */
export function recordToJson(r: TraceRecord): string {
  const x = r.exchange;
  const exchange = x === null ? "null" : `{"role":"${x.role}","peer":${x.peer},"latencyMs":${x.latencyMs},"retry":${x.retry}}`;
  return (
    `{"index":${r.index},"dir":${json(r.dir)},"time":${json(r.time)},"src":${r.src},"dest":${r.dest},"tag":${r.tag},"tagOwner":${r.tagOwner},` +
    `"messageType":${r.messageType},"pldm":${r.pldm === null ? "null" : pldmToJson(r.pldm)},"error":${json(r.error)},"raw":"${r.raw}",` +
    `"exchange":${exchange},"truncated":${r.truncated}${r.length === undefined ? "" : `,"length":${r.length}`}}`
  );
}

const NO_BYTES = new Uint8Array(0);

/** The codec's JSON for a decoded message, with 0x3F named as the vendor type it is. */
function pldmJson(m: PldmMessage, r: TraceRecord): TracePldm {
  const data = m.fields?.data;
  let json: PldmJson;
  if (data instanceof Uint8Array && data.length > 0) {
    // The codec would spell the data out in hex now; it is done later, and only if printed.
    // `m` is ours (just decoded): its data is swapped out for the call rather than copied.
    m.fields!.data = NO_BYTES;
    json = pldmMessageToJson(m);
    m.fields!.data = data;
    json.fields!.data = new HexBytes(data, r);
    json.fields!.dataLength = data.length;
  } else json = pldmMessageToJson(m);
  // The codec's object is ours to finish: no copy.
  const out = json as TracePldm;
  if (m.header.type === PldmType.Oem) out.typeName = "oem";
  out.interpretation = m.header.type === PldmType.Oem && m.def ? "ibm-file-io" : null;
  out.note = null;
  return out;
}

/**
 * What a message that does not fit its command still says: the header, and on a response its
 * completion code. Used for vendor (0x3F) messages that are not IBM's and for cut-short lines.
 */
function headerOnly(b: Uint8Array, truncated: boolean): TracePldm | null {
  if (b.length < 3 || b[0]! & 0x20 || b[1]! >> 6 !== 0) return null;
  const request = (b[0]! & 0x80) !== 0;
  const type = b[1]! & 0x3f;
  const cc = !request && b.length > 3 ? b[3]! : null;
  // A cut-short vendor message is named after IBM's command only as far as its header goes.
  const name = type !== PldmType.Oem || truncated ? commandName(type, b[2]!) : null;
  return {
    request,
    datagram: (b[0]! & 0x40) !== 0,
    instanceId: b[0]! & 0x1f,
    type,
    typeName: type === PldmType.Oem ? "oem" : (PLDM_TYPE_NAMES[type] ?? null),
    command: b[2]!,
    commandName: name,
    completionCode: cc,
    completionCodeName: cc === null ? null : completionCodeName(cc, name ? type : -1),
    fields: null,
    interpretation: type === PldmType.Oem && name ? "ibm-file-io" : null,
    note: null,
  };
}

/** A bare PLDM message (header + payload). */
export function recordFromPldm(bytes: Uint8Array, meta: MctpMeta = NO_META): TraceRecord {
  const r = new TraceRecord(meta, MctpMessageType.Pldm, bytes);
  try {
    r.pldm = pldmJson(decodePldmMessage(bytes), r);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    const partial = headerOnly(bytes, r.truncated);
    if (partial && r.truncated) r.pldm = partial;
    else if (partial && partial.type === PldmType.Oem) {
      // Another vendor's message, or IBM's garbled: PLDM all the same, just not read as IBM's.
      const ibm = commandName(PldmType.Oem, partial.command);
      r.pldm = { ...partial, note: ibm ? `not read as IBM ${ibm}: ${e.message}` : null };
    } else r.error = `pldm ${e.message}`;
  }
  return r;
}

/** A whole MCTP message: type byte, then the body. */
export function recordFromMctpMessage(message: Uint8Array, meta: MctpMeta): TraceRecord {
  const type = message[0]! & 0x7f;
  const body = view(message, 1, message.length - 1);
  if (type === MctpMessageType.Pldm) return recordFromPldm(body, meta);
  const r = new TraceRecord(meta, type, body);
  r.length = message.length - 1;
  return r;
}

/** Bytes that could not be decoded at all. */
export function errorRecord(raw: Uint8Array, error: string, meta: Partial<MctpMeta> = {}): TraceRecord {
  const r = new TraceRecord({ ...NO_META, ...meta }, null, raw);
  r.error = error;
  return r;
}
