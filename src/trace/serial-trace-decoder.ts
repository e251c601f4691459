/**
 * Decodes a serial byte stream (DSP0253 frames carrying MCTP packets) into trace
 * records: deframing, then reassembly and PLDM. Every bad frame becomes a record too,
 * with its raw bytes and the reason, and decoding goes on.
 */
import { SerialDeframer } from "../../pldm-codec/serial/serial-deframer.js";
import { MctpPacketTraceDecoder } from "./mctp-trace-decoder.js";
import { errorRecord, type TraceRecord } from "./decoded-record.js";

export class SerialTraceDecoder {
  private readonly deframer: SerialDeframer;
  private readonly packets: MctpPacketTraceDecoder;
  private index = 0;

  /** `packets` may be shared when several streams (say each direction) feed one reassembly. */
  constructor(opts: { acceptLegacyFcs?: boolean; packets?: MctpPacketTraceDecoder } = {}) {
    this.deframer = new SerialDeframer({ acceptLegacyFcs: opts.acceptLegacyFcs ?? true });
    this.packets = opts.packets ?? new MctpPacketTraceDecoder();
  }

  get stats() {
    return { serial: { ...this.deframer.stats }, reassemblyDrops: this.packets.reassemblyDrops };
  }

  push(chunk: Uint8Array, meta: { dir?: "tx" | "rx" | null; time?: string | null; ms?: number | null } = {}): TraceRecord[] {
    const out: TraceRecord[] = [];
    for (const ev of this.deframer.push(chunk)) {
      if (ev.kind === "error") {
        out.push(errorRecord(ev.raw, `serial ${ev.reason}`, { dir: meta.dir, time: meta.time, ms: meta.ms }));
        continue;
      }
      for (const rec of this.packets.push(ev.packet, meta)) {
        if (ev.fcs !== "ok" && !rec.error) rec.error = `serial frame with legacy FCS (${ev.fcs})`;
        out.push(rec);
      }
    }
    return this.numbered(out);
  }

  /** At end of input: what is left over is reported, not silently lost. */
  finish(): TraceRecord[] {
    const out: TraceRecord[] = [];
    if (this.deframer.pendingBytes() > 0) {
      out.push(errorRecord(new Uint8Array(0), `serial input ended inside a frame (${this.deframer.pendingBytes()} bytes)`));
    }
    return this.numbered([...out, ...this.packets.finish()]);
  }

  private numbered(records: TraceRecord[]): TraceRecord[] {
    for (const r of records) r.index = this.index++;
    return records;
  }
}
