/**
 * pldmd / pldmtool text logs, in every shape the field has (protocol reference, section 6):
 *   pldmtool: Tx: 80 00 04                        pldmtool, with or without its prefix
 *   Apr 03 20:27:21 bmc pldmd[3179]: Rx: 00 ...   inside journald (short, short-precise, short-iso)
 *   Tx: 08 01 80 00 04                            the older [EID][01] prefix (before late 2023)
 *   Request Message: / Response Message:          pldmtool before late 2021, hex on the next line
 *   2023-04-03 UTC 20:27:21.4567 : Tx :           pldmd's flight recorder, hex on the next line
 *   2025-...Z hostbridge[host-sim]: Tx: 09 01 ..  what our TraceRecorder writes
 * Lines with none of these markers are other log chatter and are skipped; a marked line whose
 * bytes are bad becomes an error event.
 */
import { HexError, parseHex } from "./hex.js";
import { isKnownPldm } from "./hex-lines.js";
import { normaliseFlightRecorderTime } from "./time.js";
import type { Direction, TraceEvent } from "./trace-event.js";

// After the time: an optional host, then the program ("pldmd[3179]"), neither with a colon.
const SYSLOG_PREFIX = /^([A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d(?:\.\d+)?) (?:[^\s:]+ )?[^\s:]+: (.*)$/;
const ISO_PREFIX = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) (?:[^\s:]+ )?[^\s:]+: (.*)$/;
const FLIGHT_HEADER = /^(.+?) : (Tx|Rx) :\s*$/;
const TX_RX = /^(?:pldmtool:\s*)?(Tx|Rx)\s*:\s*(.*)$/;
const TX_RX_ERROR = /^(Tx|Rx) error ([\w-]+):\s*(.*)$/;
const OLD_BLOCK = /^(?:pldmtool:\s*)?(Request|Response) Message:\s*(.*)$/;
const LOCAL_EID = /^#\s*local-eid\s+(\d+)/;
const ENCODER = new TextEncoder();

/** Whether `text` has any marker this parser reads; used by input auto-detection. */
export function looksLikePldmtoolLog(text: string): boolean {
  const body = stripTimestamp(text).message;
  return TX_RX.test(body) || OLD_BLOCK.test(body) || FLIGHT_HEADER.test(text) || TX_RX_ERROR.test(body);
}

function stripTimestamp(line: string): { time: string | null; message: string } {
  const m = SYSLOG_PREFIX.exec(line) ?? ISO_PREFIX.exec(line);
  return m ? { time: m[1]!, message: m[2]! } : { time: null, message: line };
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
  /** A header line (flight recorder, old pldmtool) waiting for its hex line. */
  private pending: { dir: Direction; time: string | null; header: string } | null = null;
  private localEid: number | null = null;

  line(raw: string): TraceEvent[] {
    const line = raw.replace(/\r$/, "");
    const trimmed = line.trim();
    if (trimmed.startsWith("#")) {
      const m = LOCAL_EID.exec(trimmed);
      if (m) this.localEid = Number(m[1]);
      return [];
    }
    if (this.pending) {
      const pending = this.pending;
      this.pending = null;
      if (trimmed === "") return [];
      if (/^[0-9a-f\s]+$/i.test(trimmed)) return [this.message(pending.dir, pending.time, trimmed)];
      const orphan = this.error(pending.dir, pending.time, pending.header, "no hex line after the header");
      return [orphan, ...this.line(raw)];
    }
    if (!trimmed) return [];
    const flight = FLIGHT_HEADER.exec(trimmed);
    if (flight) {
      // The recorder's ring buffer dumps never-used slots as " : Rx : " with no bytes.
      this.pending = { dir: flight[2] === "Tx" ? "tx" : "rx", time: flight[1]!.trim() ? normaliseFlightRecorderTime(flight[1]!) : null, header: trimmed };
      return [];
    }
    const { time, message } = stripTimestamp(trimmed);
    const err = TX_RX_ERROR.exec(message);
    if (err) return [this.error(err[1] === "Tx" ? "tx" : "rx", time, err[3]!, err[2]!)];
    const txrx = TX_RX.exec(message);
    if (txrx) return [this.message(txrx[1] === "Tx" ? "tx" : "rx", time, txrx[2]!)];
    const block = OLD_BLOCK.exec(message);
    if (block) {
      const dir: Direction = block[1] === "Request" ? "tx" : "rx";
      if (block[2]!.trim()) return [this.message(dir, time, block[2]!)];
      this.pending = { dir, time, header: trimmed };
    }
    return [];
  }

  finish(): TraceEvent[] {
    const p = this.pending;
    this.pending = null;
    // A flight-recorder slot with no bytes at the very end is an unused slot, not an error.
    if (!p || FLIGHT_HEADER.test(p.header)) return [];
    return [this.error(p.dir, p.time, p.header, "input ended after the header, before its hex")];
  }

  private message(dir: Direction, time: string | null, hex: string): TraceEvent {
    let bytes: Uint8Array;
    try {
      bytes = parseHex(hex);
    } catch (e) {
      if (!(e instanceof HexError)) throw e;
      return this.error(dir, time, hex, e.message);
    }
    if (bytes.length === 0) return this.error(dir, time, hex, "no bytes after Tx/Rx");
    const { eid, pldm } = splitLegacyPrefix(bytes);
    // The prefix names the far end: the destination of what we send, the source of what we receive.
    const far = eid;
    const near = this.localEid;
    const src = dir === "tx" ? near : far;
    const dest = dir === "tx" ? far : near;
    return { kind: "pldm", bytes: pldm, dir, time, src, dest };
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
