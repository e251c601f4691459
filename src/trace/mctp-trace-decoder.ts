/**
 * MCTP packets to trace records: reassembly, then PLDM. A packet that cannot be used and a
 * message the reassembler had to drop each become an error record; decoding goes on.
 */
import { DecodeError } from "../../pldm-codec/errors.js";
import { decodeMctpPacketHeader } from "../../pldm-codec/mctp/packet.js";
import { MctpReassembler, type ReassemblyDropReason } from "../../pldm-codec/mctp/reassembler.js";
import { isoFromMs, timeToMs } from "./time.js";
import { errorRecord, recordFromMctpMessage, type TraceRecord } from "./decoded-record.js";
import type { EventMeta } from "./trace-event.js";

const REASONS = (r: MctpReassembler) => Object.keys(r.drops) as ReassemblyDropReason[];

const dropTotal = (d: Record<ReassemblyDropReason, number>) => {
  let n = 0;
  for (const k in d) n += d[k as ReassemblyDropReason];
  return n;
};

export class MctpPacketTraceDecoder {
  private readonly reassembler = new MctpReassembler();
  private packets = 0;
  /** The drop counts after the last packet: a change names the reason of a new drop. */
  private seenDrops = { ...this.reassembler.drops };

  get reassemblyDrops(): Record<ReassemblyDropReason, number> {
    return { ...this.reassembler.drops };
  }

  push(packet: Uint8Array, meta: Partial<EventMeta> = {}): TraceRecord[] {
    const m = { dir: meta.dir ?? null, time: meta.time ?? null, ms: meta.ms ?? null };
    const digits = meta.timeDigits;
    // The time's text, made only for a packet that gives a record.
    const withTime = () => (m.time === null && digits !== undefined && m.ms !== null ? { ...m, time: isoFromMs(m.ms, digits) } : m);
    let header;
    try {
      header = decodeMctpPacketHeader(packet);
    } catch (e) {
      return [errorRecord(packet, `mctp ${e instanceof DecodeError ? e.message : String(e)}`, withTime())];
    }
    const out: TraceRecord[] = [];
    const drops = this.reassembler.drops;
    const before = dropTotal(drops);
    // Trace clocks can be absent or jump: a packet count keeps the 6 s expiry from firing
    // mid-file, a real time (when the trace has one) lets it fire as on the line.
    const now = m.ms ?? timeToMs(m.time) ?? this.packets;
    this.packets++;
    const msg = this.reassembler.push(packet, now);
    if (dropTotal(drops) !== before) {
      const reason = REASONS(this.reassembler).find((k) => drops[k] !== this.seenDrops[k]);
      this.seenDrops = { ...drops };
      const where = { ...withTime(), src: header.src, dest: header.dest, tag: header.tag, tagOwner: header.tagOwner };
      out.push(errorRecord(packet, `mctp reassembly dropped a message (${reason})`, where));
    }
    if (msg)
      out.push(
        recordFromMctpMessage(msg.message, { dir: m.dir, time: withTime().time, ms: m.ms, src: msg.src, dest: msg.dest, tag: msg.tag, tagOwner: msg.tagOwner }),
      );
    return out;
  }

  /** At end of input: messages still missing packets are reported, not silently lost. */
  finish(): TraceRecord[] {
    const n = this.reassembler.pendingCount();
    return n > 0 ? [errorRecord(new Uint8Array(0), `input ended with ${n} MCTP message(s) incomplete`)] : [];
  }
}
