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

/** Why `p` cannot be an MCTP packet, or null when its header reads. */
export function mctpPacketHeaderError(p: Uint8Array): DecodeError | null {
  if (p.length < MCTP_HEADER_SIZE) return new DecodeError("truncated", `MCTP packet needs 4 header bytes, has ${p.length}`, p.length);
  const version = p[0]! & 0x0f;
  if (version !== MCTP_HEADER_VERSION) return new DecodeError("unsupported-version", `MCTP header version ${version}`, 0);
  return null;
}

/**
 * Reads the header into `h` (a receive path reads every packet's header: one object reused
 * rather than one per packet). Throws DecodeError as decodeMctpPacketHeader does.
 */
export function decodeMctpPacketHeaderInto(p: Uint8Array, h: MctpPacketHeader): MctpPacketHeader {
  const error = mctpPacketHeaderError(p);
  if (error) throw error;
  const flags = p[3]!;
  h.dest = p[1]!;
  h.src = p[2]!;
  h.som = (flags & 0x80) !== 0;
  h.eom = (flags & 0x40) !== 0;
  h.seq = (flags >> 4) & 3;
  h.tagOwner = (flags & 0x08) !== 0;
  h.tag = flags & 7;
  return h;
}

export function decodeMctpPacketHeader(p: Uint8Array): MctpPacketHeader {
  return decodeMctpPacketHeaderInto(p, { dest: 0, src: 0, som: false, eom: false, seq: 0, tagOwner: false, tag: 0 });
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
