/** DSP0236 MCTP transport header: 4 bytes before every packet body. */
import { DecodeError, EncodeError } from "../errors.js";

export const MCTP_HEADER_VERSION = 1;
export const MCTP_HEADER_SIZE = 4;
/** Body bytes per packet every endpoint must accept. */
export const MCTP_BASELINE_MTU = 64;

export const MctpMessageType = { Control: 0x00, Pldm: 0x01 } as const;

export interface MctpPacketHeader {
  dest: number;
  src: number;
  som: boolean;
  eom: boolean;
  /** Packet sequence number, mod 4. */
  seq: number;
  tagOwner: boolean;
  tag: number;
}

export function decodeMctpPacketHeader(p: Uint8Array): MctpPacketHeader {
  if (p.length < MCTP_HEADER_SIZE) throw new DecodeError("truncated", `MCTP packet needs 4 header bytes, has ${p.length}`, p.length);
  const version = p[0]! & 0x0f;
  if (version !== MCTP_HEADER_VERSION) throw new DecodeError("unsupported-version", `MCTP header version ${version}`, 0);
  const flags = p[3]!;
  return {
    dest: p[1]!,
    src: p[2]!,
    som: (flags & 0x80) !== 0,
    eom: (flags & 0x40) !== 0,
    seq: (flags >> 4) & 3,
    tagOwner: (flags & 0x08) !== 0,
    tag: flags & 7,
  };
}

/** Header and body (a view into the packet, not a copy). */
export function decodeMctpPacket(p: Uint8Array): { header: MctpPacketHeader; body: Uint8Array } {
  return { header: decodeMctpPacketHeader(p), body: p.subarray(MCTP_HEADER_SIZE) };
}

function byteField(name: string, v: number, max = 0xff): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new EncodeError(name, `${v} outside 0..${max}`);
  return v;
}

export function encodeMctpPacketHeader(h: MctpPacketHeader, out: Uint8Array, at = 0): void {
  out[at] = MCTP_HEADER_VERSION;
  out[at + 1] = byteField("dest", h.dest);
  out[at + 2] = byteField("src", h.src);
  out[at + 3] = (h.som ? 0x80 : 0) | (h.eom ? 0x40 : 0) | (byteField("seq", h.seq, 3) << 4) | (h.tagOwner ? 0x08 : 0) | byteField("tag", h.tag, 7);
}

export function encodeMctpPacket(h: MctpPacketHeader, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(MCTP_HEADER_SIZE + body.length);
  encodeMctpPacketHeader(h, out);
  out.set(body, MCTP_HEADER_SIZE);
  return out;
}
