/** Splits a whole MCTP message into packets of at most `mtu` body bytes (DSP0236 8.8). */
import { EncodeError } from "../errors.js";
import { encodeMctpPacketHeader, MCTP_BASELINE_MTU, MCTP_HEADER_SIZE } from "./packet.js";

export interface FragmentRequest {
  src: number;
  dest: number;
  tag: number;
  tagOwner: boolean;
  /** The message, beginning with its message-type byte (which only the first packet carries). */
  message: Uint8Array;
  mtu?: number;
  startSeq?: number;
}

export function fragmentMessage(m: FragmentRequest): Uint8Array[] {
  const mtu = m.mtu ?? MCTP_BASELINE_MTU;
  if (!Number.isInteger(mtu) || mtu < 1) throw new EncodeError("mtu", `${mtu} is not a packet size`);
  if (m.message.length === 0) throw new EncodeError("message", "an MCTP message has at least its type byte");
  const count = Math.ceil(m.message.length / mtu);
  const packets: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const body = m.message.subarray(i * mtu, Math.min(m.message.length, (i + 1) * mtu));
    const p = new Uint8Array(MCTP_HEADER_SIZE + body.length);
    encodeMctpPacketHeader(
      { dest: m.dest, src: m.src, som: i === 0, eom: i === count - 1, seq: ((m.startSeq ?? 0) + i) & 3, tagOwner: m.tagOwner, tag: m.tag },
      p,
    );
    p.set(body, MCTP_HEADER_SIZE);
    packets.push(p);
  }
  return packets;
}
