/** DSP0240 PLDM message header: 3 bytes. */
import { DecodeError, EncodeError } from "../errors.js";

export const PLDM_HEADER_SIZE = 3;

export interface PldmHeader {
  /** Rq: a request (or an unacknowledged datagram when `datagram` is set too). */
  request: boolean;
  /** D: datagram bit. */
  datagram: boolean;
  instanceId: number;
  type: number;
  command: number;
}

/** Reads the header; refuses the reserved bit and header versions other than 0. */
export function decodePldmHeader(b: Uint8Array): PldmHeader {
  if (b.length < PLDM_HEADER_SIZE) throw new DecodeError("truncated", `PLDM header needs 3 bytes, has ${b.length}`, b.length);
  const b0 = b[0]!;
  const b1 = b[1]!;
  if (b0 & 0x20) throw new DecodeError("reserved-value", "reserved bit 5 of byte 0 is set", 0);
  if (b1 >> 6 !== 0) throw new DecodeError("unsupported-version", `header version ${b1 >> 6}`, 1);
  return {
    request: (b0 & 0x80) !== 0,
    datagram: (b0 & 0x40) !== 0,
    instanceId: b0 & 0x1f,
    type: b1 & 0x3f,
    command: b[2]!,
  };
}

export function encodePldmHeader(h: PldmHeader, out: Uint8Array, at = 0): void {
  if (!Number.isInteger(h.instanceId) || h.instanceId < 0 || h.instanceId > 31) throw new EncodeError("instanceId", `${h.instanceId} outside 0..31`);
  if (!Number.isInteger(h.type) || h.type < 0 || h.type > 63) throw new EncodeError("type", `${h.type} outside 0..63`);
  if (!Number.isInteger(h.command) || h.command < 0 || h.command > 255) throw new EncodeError("command", `${h.command} outside 0..255`);
  out[at] = (h.request ? 0x80 : 0) | (h.datagram ? 0x40 : 0) | h.instanceId;
  out[at + 1] = h.type;
  out[at + 2] = h.command;
}
