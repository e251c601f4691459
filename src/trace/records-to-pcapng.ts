/**
 * Turns decoded records back into a pcapng capture (one packet per MCTP packet), so a
 * trace from any input opens in Wireshark. Records from text logs have no MCTP header:
 * it is rebuilt from their direction (the Tx side is EID 8, the BMC, as in pldmd logs),
 * with tag 0 and the tag-owner bit on requests. Undecodable bytes have no place in it and are left out.
 */
import { fragmentMessage } from "../../pldm-codec/mctp/fragmenter.js";
import { MctpMessageType } from "../../pldm-codec/mctp/packet.js";
import { concat, pcapngPacket, pcapngPreamble } from "./pcapng-writer.js";
import { timeToMs } from "./time.js";
import type { TraceRecord } from "./decoded-record.js";

const TX_SIDE_EID = 8;
const RX_SIDE_EID = 9;

/** Records to pcapng blocks one at a time: the preamble first, then each record's packets. */
export class PcapngWriter {
  private started = false;
  // Records without a time follow the one before by a microsecond, so the capture stays in order.
  private lastMs = 0;

  record(r: TraceRecord): Uint8Array {
    const parts: Uint8Array[] = [];
    if (!this.started) {
      this.started = true;
      parts.push(pcapngPreamble());
    }
    const type = r.pldm ? MctpMessageType.Pldm : r.messageType;
    if (type !== null && !(!r.pldm && r.error)) {
      const message = new Uint8Array(r.bytes.length + 1);
      message[0] = type;
      message.set(r.bytes, 1);
      const fromTx = r.dir !== "rx";
      const packets = fragmentMessage({
        src: r.src ?? (fromTx ? TX_SIDE_EID : RX_SIDE_EID),
        dest: r.dest ?? (fromTx ? RX_SIDE_EID : TX_SIDE_EID),
        tag: r.tag ?? 0,
        tagOwner: r.tagOwner ?? r.pldm?.request ?? false,
        message,
      });
      const ms = r.timeMs ?? timeToMs(r.time) ?? this.lastMs + 0.001;
      this.lastMs = ms;
      for (const p of packets) parts.push(pcapngPacket(p, ms, r.dir));
    }
    return parts.length === 1 ? parts[0]! : concat(parts);
  }

  /** An empty trace still gets a valid (empty) capture. */
  end(): Uint8Array {
    if (this.started) return new Uint8Array(0);
    this.started = true;
    return pcapngPreamble();
  }
}

export function recordsToPcapng(records: readonly TraceRecord[]): Uint8Array {
  const w = new PcapngWriter();
  return concat([...records.map((r) => w.record(r)), w.end()]);
}
