/**
 * Decodes a serial byte stream (DSP0253 frames carrying MCTP packets) into trace
 * records: deframing, reassembly, then PLDM. Every bad frame becomes a record too,
 * with its raw bytes and the reason, and decoding goes on.
 */
import { DecodeError } from "../../pldm-codec/errors.js";
import { decodeMctpPacket } from "../../pldm-codec/mctp/packet.js";
import { MctpReassembler, type ReassemblyDropReason } from "../../pldm-codec/mctp/reassembler.js";
import { SerialDeframer } from "../../pldm-codec/serial/serial-deframer.js";
import { errorRecord, recordFromMctpMessage, type TraceRecord } from "./trace-record.js";

export class SerialTraceDecoder {
  private readonly deframer: SerialDeframer;
  private readonly reassembler = new MctpReassembler();
  private index = 0;
  private packets = 0;

  constructor(opts: { acceptLegacyFcs?: boolean } = {}) {
    this.deframer = new SerialDeframer({ acceptLegacyFcs: opts.acceptLegacyFcs ?? true });
  }

  get stats() {
    return { serial: { ...this.deframer.stats }, reassemblyDrops: { ...this.reassembler.drops } };
  }

  push(chunk: Uint8Array, meta: { dir?: "tx" | "rx" | null; time?: string | null } = {}): TraceRecord[] {
    const out: TraceRecord[] = [];
    for (const ev of this.deframer.push(chunk)) {
      if (ev.kind === "error") {
        out.push(errorRecord(this.index++, ev.raw, `serial ${ev.reason}`, meta));
        continue;
      }
      let header;
      try {
        header = decodeMctpPacket(ev.packet).header;
      } catch (e) {
        out.push(errorRecord(this.index++, ev.packet, `mctp ${e instanceof DecodeError ? e.message : String(e)}`, meta));
        continue;
      }
      const before = { ...this.reassembler.drops };
      // Traces have no reliable clock: count packets so the 6 s expiry never fires mid-file.
      const m = this.reassembler.push(ev.packet, this.packets++);
      const reason = (Object.keys(before) as ReassemblyDropReason[]).find((k) => this.reassembler.drops[k] !== before[k]);
      if (reason) {
        const where = { ...meta, src: header.src, dest: header.dest, tag: header.tag, tagOwner: header.tagOwner };
        out.push(errorRecord(this.index++, ev.packet, `mctp reassembly dropped a message (${reason})`, where));
      }
      if (!m) continue;
      const rec = recordFromMctpMessage(this.index++, m.message, { ...meta, src: m.src, dest: m.dest, tag: m.tag, tagOwner: m.tagOwner });
      if (ev.fcs !== "ok" && !rec.error) rec.error = `serial frame with legacy FCS (${ev.fcs})`;
      out.push(rec);
    }
    return out;
  }

  /** At end of input: what is left over is reported, not silently lost. */
  finish(): TraceRecord[] {
    const out: TraceRecord[] = [];
    if (this.deframer.pendingBytes() > 0) {
      out.push(errorRecord(this.index++, new Uint8Array(0), `serial input ended inside a frame (${this.deframer.pendingBytes()} bytes)`));
    }
    if (this.reassembler.pendingCount() > 0) {
      out.push(errorRecord(this.index++, new Uint8Array(0), `input ended with ${this.reassembler.pendingCount()} MCTP message(s) incomplete`));
    }
    return out;
  }
}
