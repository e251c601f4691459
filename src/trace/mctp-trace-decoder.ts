/**
 * MCTP packets to trace records: reassembly, then PLDM. A packet that cannot be used and a
 * message the reassembler had to drop each become an error record; decoding goes on.
 */
import { decodeMctpPacketHeader, mctpPacketHeaderError } from "../../pldm-codec/mctp/packet.js";
import { MctpReassembler, type ReassemblyDropReason } from "../../pldm-codec/mctp/reassembler.js";
import { isoFromMs, timeToMs } from "./time.js";
import { errorRecord, recordFromMctpMessage, type TraceRecord } from "./decoded-record.js";
import type { EventMeta } from "./trace-event.js";

const REASONS = (r: MctpReassembler) => Object.keys(r.drops) as ReassemblyDropReason[];
/** Most packets give no record: one shared empty answer, never written to. */
const NO_RECORDS: readonly TraceRecord[] = [];

export class MctpPacketTraceDecoder {
  private readonly reassembler = new MctpReassembler();
  private packets = 0;
  /** The drop counts after the last drop: a change names the reason of a new drop. */
  private seenDrops = { ...this.reassembler.drops };

  get reassemblyDrops(): Record<ReassemblyDropReason, number> {
    return { ...this.reassembler.drops };
  }

  /** Runs for every packet of a capture: objects are made only for a packet that gives a record. */
  push(packet: Uint8Array, meta: Partial<EventMeta> = {}): readonly TraceRecord[] {
    const dir = meta.dir ?? null;
    const ms = meta.ms ?? null;
    let time = meta.time ?? null;
    const bad = mctpPacketHeaderError(packet);
    if (bad) return [errorRecord(packet, `mctp ${bad.message}`, { dir, time: timeText(time, ms, meta.timeDigits), ms })];
    const r = this.reassembler;
    const before = r.dropped;
    // Trace clocks can be absent or jump: a packet count keeps the 6 s expiry from firing
    // mid-file, a real time (when the trace has one) lets it fire as on the line.
    const now = ms ?? timeToMs(time) ?? this.packets;
    this.packets++;
    const msg = r.push(packet, now);
    if (r.dropped === before && !msg) return NO_RECORDS;
    const out: TraceRecord[] = [];
    time = timeText(time, ms, meta.timeDigits);
    if (r.dropped !== before) {
      const drops = r.drops;
      const reason = REASONS(r).find((k) => drops[k] !== this.seenDrops[k]);
      this.seenDrops = { ...drops };
      const header = decodeMctpPacketHeader(packet);
      const where = { dir, time, ms, src: header.src, dest: header.dest, tag: header.tag, tagOwner: header.tagOwner };
      out.push(errorRecord(packet, `mctp reassembly dropped a message (${reason})`, where));
    }
    if (msg) out.push(recordFromMctpMessage(msg.message, { dir, time, ms, src: msg.src, dest: msg.dest, tag: msg.tag, tagOwner: msg.tagOwner }));
    return out;
  }

  /** At end of input: messages still missing packets are reported, not silently lost. */
  finish(): TraceRecord[] {
    const n = this.reassembler.pendingCount();
    return n > 0 ? [errorRecord(new Uint8Array(0), `input ended with ${n} MCTP message(s) incomplete`)] : [];
  }
}

/** A capture's time as text: kept in milliseconds until a record needs it. */
const timeText = (time: string | null, ms: number | null, digits: number | undefined) =>
  time === null && digits !== undefined && ms !== null ? isoFromMs(ms, digits) : time;
