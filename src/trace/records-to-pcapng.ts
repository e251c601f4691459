/**
 * Turns decoded records back into a pcapng capture (one packet per MCTP packet), so a
 * trace from any input opens in Wireshark. Records from text logs have no MCTP header:
 * it is rebuilt from their direction (the Tx side is EID 8, the BMC, as in pldmd logs),
 * with tag 0 and the tag-owner bit on requests. Undecodable bytes have no place in it and are left out.
 */
import { fragmentMessage } from "../../pldm-codec/mctp/fragmenter.js";
import { MctpMessageType } from "../../pldm-codec/mctp/packet.js";
import { parseHex } from "./hex.js";
import { concat, pcapngPacket, pcapngPreamble } from "./pcapng-writer.js";
import { timeToMs } from "./time.js";
import type { TraceRecord } from "./trace-record.js";

const TX_SIDE_EID = 8;
const RX_SIDE_EID = 9;

export function recordsToPcapng(records: readonly TraceRecord[]): Uint8Array {
  const parts = [pcapngPreamble()];
  // Records without a time follow the one before by a microsecond, so the capture stays in order.
  let lastMs = 0;
  for (const r of records) {
    const type = r.pldm ? MctpMessageType.Pldm : r.messageType;
    if (type === null || (!r.pldm && r.error)) continue;
    const body = parseHex(r.raw);
    const message = new Uint8Array(body.length + 1);
    message[0] = type;
    message.set(body, 1);
    const fromTx = r.dir !== "rx";
    const packets = fragmentMessage({
      src: r.src ?? (fromTx ? TX_SIDE_EID : RX_SIDE_EID),
      dest: r.dest ?? (fromTx ? RX_SIDE_EID : TX_SIDE_EID),
      tag: r.tag ?? 0,
      tagOwner: r.tagOwner ?? r.pldm?.request ?? false,
      message,
    });
    const ms = timeToMs(r.time) ?? lastMs + 0.001;
    lastMs = ms;
    for (const p of packets) parts.push(pcapngPacket(p, ms, r.dir));
  }
  return concat(parts);
}
