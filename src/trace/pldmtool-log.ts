/**
 * pldmd / pldmtool text logs, in every shape the field has (protocol reference, section 6),
 * bare or inside journald (see log-prefix.ts):
 *   Tx: 80 00 04  /  pldmtool: Rx: 00 ...          pldmd --verbose and pldmtool
 *   Tx: 08 01 80 00 04                             the older [EID][01] prefix (before late 2023)
 *   Request Message: / Response Message:           pldmtool before late 2021: hex on the next
 *                                                  line, always after the [EID][01] prefix
 *   Received Msg / Sending Msg                     pldmd --verbose before 2021-09: hex on the
 *                                                  next line, with or without the prefix (and
 *                                                  "Buffer Data: <hex>" before that)
 *   2023-04-03 UTC 20:27:21.4567 : Tx :            pldmd's flight recorder, hex on the next line
 *   ... Tx: 09 01 ..  /  Rx error bad-fcs: 7e ..   what our TraceRecorder writes
 * A line of hex bytes alone after a message continues it (a wrapped line); a message ending
 * in "..." was cut short by whoever pasted it. Everything else (prose, JSON, prompts, other
 * daemons) is counted and skipped; an error comes only from a line that claims PLDM and
 * does not deliver it.
 */
import { concatBytes } from "../../pldm-codec/wire/bytes.js";
import { FlightRecorderRun } from "./flight-recorder.js";
import { HexError, isHexBytesLine, parseHex } from "./hex.js";
import { isKnownPldm } from "./hex-lines.js";
import { splitLogPrefix } from "./log-prefix.js";
import { normaliseFlightRecorderTime } from "./time.js";
import type { Direction, EventSink, TraceEvent } from "./trace-event.js";

const FLIGHT_HEADER = /^(.*?)\s*: (Tx|Rx) :\s*$/;
const TX_RX = /^(?:pldmtool:\s*)?(Tx|Rx)\s*:\s*/;
const TX_RX_ERROR = /^(Tx|Rx) error ([\w-]+):\s*(.*)$/;
const PLDMTOOL_BLOCK = /^(?:pldmtool:\s*)?(Request|Response) Message:\s*/;
const VERBOSE_HEADER = /^(Received|Sending) Msg\b/;
const BUFFER_DATA = /^Buffer Data:\s*/;
const LOCAL_EID = /^#\s*local-eid\s+(\d+)/;
const ENCODER = new TextEncoder();
/** Lines a header waits for its hex through (other output interleaved on one console). */
const HEADER_WINDOW = 4;

/** How the [EID][01] prefix is read: always there (old pldmtool), or only when the bytes say so. */
type PrefixRule = "always" | "guess";

interface Header {
  dir: Direction | null;
  time: string | null;
  text: string;
  prefix: PrefixRule;
  flight: boolean;
  waited: number;
}

interface OpenMessage {
  dir: Direction | null;
  time: string | null;
  prefix: PrefixRule;
  parts: Uint8Array[];
  truncated: boolean;
  text: string;
}

/** Whether `line` has any marker this parser reads; used by input auto-detection. */
export function looksLikePldmtoolLog(text: string): boolean {
  const line = text.trim();
  if (line.endsWith(":") && FLIGHT_HEADER.test(line)) return true;
  const m = splitLogPrefix(line).message;
  return TX_RX.test(m) || PLDMTOOL_BLOCK.test(m) || VERBOSE_HEADER.test(m) || BUFFER_DATA.test(m);
}

/**
 * The older logs put [EID][01] (MCTP message type PLDM) before the PLDM bytes. Taken as a
 * prefix only when byte 1 is 0x01 and the rest decodes as a command we can name while the
 * whole does not: a type-1 (SMBIOS) message is the only thing it could be confused with.
 */
export function splitLegacyPrefix(b: Uint8Array): { eid: number | null; pldm: Uint8Array } {
  if (b.length >= 5 && b[1] === 0x01) {
    const rest = b.subarray(2);
    if (isKnownPldm(rest) && !isKnownPldm(b)) return { eid: b[0]!, pldm: rest };
  }
  return { eid: null, pldm: b };
}

export class PldmtoolLogParser {
  /** Non-blank lines that carried no PLDM (prose, JSON, prompts, other programs). */
  skipped = 0;
  private header: Header | null = null;
  private open: OpenMessage | null = null;
  private readonly flight = new FlightRecorderRun();
  private localEid: number | null = null;

  line(raw: string, out: EventSink): void {
    const trimmed = raw.trim();
    if (!trimmed) {
      this.endMessage(out);
      // A flight-recorder slot never used prints its header and an empty line.
      if (this.header?.flight) this.header = null;
      return;
    }
    if (trimmed.charCodeAt(0) === 0x23 /* # */) {
      const m = LOCAL_EID.exec(trimmed);
      if (m) this.localEid = Number(m[1]);
      return;
    }
    if (trimmed.endsWith(":")) {
      const flight = FLIGHT_HEADER.exec(trimmed);
      if (flight) {
        this.endMessage(out);
        this.setHeader(out, {
          dir: flight[2] === "Tx" ? "tx" : "rx",
          time: flight[1]!.trim() ? normaliseFlightRecorderTime(flight[1]!) : null,
          text: trimmed,
          prefix: "guess",
          flight: true,
          waited: 0,
        });
        return;
      }
    }
    const { time, message } = splitLogPrefix(trimmed);
    if (this.header && this.hexBody(message)) {
      const h = this.header;
      this.header = null;
      this.startMessage(out, h.dir, h.time ?? time, message, h.prefix, h.text);
      if (h.flight) this.endMessage(out, true);
      return;
    }
    if (this.open && !this.open.truncated && isHexBytesLine(message)) {
      this.open.parts.push(parseHex(message));
      return;
    }
    this.endMessage(out);
    this.flight.flush(out);
    this.marked(out, time, message, trimmed);
  }

  /** End of input: what is held is decoded; a header still waiting for its hex is an error. */
  finish(out: EventSink): void {
    const h = this.header;
    this.header = null;
    this.endMessage(out);
    this.flight.flush(out);
    if (h && !h.flight) out.push(this.error(h.dir, h.time, h.text, h.waited ? "no hex line after the header" : "input ended after the header, before its hex"));
  }

  /** The input went quiet (a live log): what is held goes out now instead of at the next line. */
  flush(out: EventSink): void {
    this.endMessage(out);
    this.flight.flush(out);
  }

  private marked(out: EventSink, time: string | null, message: string, line: string): void {
    const txrx = TX_RX.exec(message);
    if (txrx) {
      const dir: Direction = txrx[1] === "Tx" ? "tx" : "rx";
      const hex = message.slice(txrx[0].length);
      // "Tx:" alone: the bytes were wrapped onto the next line.
      if (!hex.trim()) return this.setHeader(out, { dir, time, text: line, prefix: "guess", flight: false, waited: 0 });
      return this.startMessage(out, dir, time, hex, "guess", line);
    }
    const err = TX_RX_ERROR.exec(message);
    if (err) return void out.push(this.error(err[1] === "Tx" ? "tx" : "rx", time, err[3]!, err[2]!));
    const block = PLDMTOOL_BLOCK.exec(message) ?? VERBOSE_HEADER.exec(message);
    if (block) {
      const dir: Direction = block[1] === "Request" || block[1] === "Sending" ? "tx" : "rx";
      const prefix: PrefixRule = block[1] === "Request" || block[1] === "Response" ? "always" : "guess";
      const rest = message.slice(block[0].length);
      if (prefix === "always" && rest.trim()) return this.startMessage(out, dir, time, rest, prefix, line);
      return this.setHeader(out, { dir, time, text: line, prefix, flight: false, waited: 0 });
    }
    const data = BUFFER_DATA.exec(message);
    if (data) return this.startMessage(out, null, time, message.slice(data[0].length), "guess", line);
    this.skipped++;
    const h = this.header;
    if (h && ++h.waited > HEADER_WINDOW) {
      this.header = null;
      if (!h.flight) out.push(this.error(h.dir, h.time, h.text, "no hex line after the header"));
    }
  }

  /** A header's hex: bytes, or "Buffer Data: " and bytes (the oldest pldmd). */
  private hexBody(message: string): boolean {
    const data = BUFFER_DATA.exec(message);
    const body = data ? message.slice(data[0].length) : message;
    return isHexBytesLine(body.slice(0, cutAt(body) ?? body.length)) || (data !== null && body.trim() === "");
  }

  private setHeader(out: EventSink, h: Header): void {
    const before = this.header;
    this.header = h;
    if (before && !before.flight) out.push(this.error(before.dir, before.time, before.text, "no hex line after the header"));
  }

  private startMessage(out: EventSink, dir: Direction | null, time: string | null, text: string, prefix: PrefixRule, line: string): void {
    this.endMessage(out);
    const data = text.startsWith("Buffer Data:") ? BUFFER_DATA.exec(text) : null;
    const body = data ? text.slice(data[0].length) : text;
    const cut = cutAt(body);
    let hex = cut === null ? body : body.slice(0, cut).trimEnd();
    // A cut can fall inside a byte: its lone digit is dropped.
    if (cut !== null && hex.length > 0 && (hex.length === 1 || hex.charCodeAt(hex.length - 2) === 0x20)) hex = hex.slice(0, -1);
    let bytes: Uint8Array;
    try {
      bytes = parseHex(hex);
    } catch (e) {
      if (!(e instanceof HexError)) throw e;
      return void out.push(this.error(dir, time, line, e.message));
    }
    this.open = { dir, time, prefix, parts: [bytes], truncated: cut !== null, text: line };
  }

  /** The open message is complete (the next line is not its continuation): decode it. */
  private endMessage(out: EventSink, toFlight = false): void {
    const m = this.open;
    if (!m) return;
    this.open = null;
    const bytes = m.parts.length === 1 ? m.parts[0]! : concatBytes(m.parts);
    if (bytes.length === 0) return void out.push(this.error(m.dir, m.time, m.text, "no bytes after the marker"));
    const { eid, pldm } = m.prefix === "always" && bytes.length >= 2 ? { eid: bytes[0]!, pldm: bytes.subarray(2) } : splitLegacyPrefix(bytes);
    // The prefix names the far end: the destination of what we send, the source of what we receive.
    const src = m.dir === "tx" ? this.localEid : m.dir === "rx" ? eid : null;
    const dest = m.dir === "tx" ? eid : m.dir === "rx" ? this.localEid : null;
    const event: TraceEvent = { kind: "pldm", bytes: pldm, dir: m.dir, time: m.time, src, dest, truncated: m.truncated };
    if (toFlight) this.flight.add(event, out);
    else out.push(event);
  }

  private error(dir: Direction | null, time: string | null, text: string, reason: string): TraceEvent {
    let raw: Uint8Array;
    try {
      raw = parseHex(text);
    } catch {
      raw = ENCODER.encode(text);
    }
    return { kind: "error", raw, reason, dir, time };
  }
}

/** Where a line cut short by its author ends ("...", or the ellipsis character), or null. */
function cutAt(text: string): number | null {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) <= 0x20) end--;
  if (text.endsWith("...", end)) return end - 3;
  if (text.charCodeAt(end - 1) === 0x2026) return end - 1;
  return null;
}
