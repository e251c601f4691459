/** DSP0253 framing: 7E | 01 | count | packet, byte-stuffed | FCS hi | FCS lo | 7E. */
import { EncodeError } from "../errors.js";
import { CRC16_INIT, crc16Update } from "./crc16.js";

export const FRAME_FLAG = 0x7e;
export const FRAME_ESCAPE = 0x7d;
export const SERIAL_REVISION = 0x01;
export const MIN_COUNT = 4;
/** Header plus the 64-byte baseline payload. */
export const DEFAULT_MAX_COUNT = 68;

export function encodeSerialFrame(packet: Uint8Array, opts: { maxCount?: number } = {}): Uint8Array {
  const max = Math.min(255, opts.maxCount ?? DEFAULT_MAX_COUNT);
  if (packet.length < MIN_COUNT || packet.length > max) throw new EncodeError("packet", `${packet.length} bytes; a frame carries ${MIN_COUNT}..${max}`);
  let escapes = 0;
  for (const b of packet) if (b === FRAME_FLAG || b === FRAME_ESCAPE) escapes++;
  const out = new Uint8Array(packet.length + escapes + 6);
  let crc = crc16Update(CRC16_INIT, Uint8Array.of(SERIAL_REVISION, packet.length));
  crc = crc16Update(crc, packet);
  out[0] = FRAME_FLAG;
  out[1] = SERIAL_REVISION;
  out[2] = packet.length;
  let o = 3;
  for (const b of packet) {
    if (b === FRAME_FLAG || b === FRAME_ESCAPE) {
      out[o++] = FRAME_ESCAPE;
      out[o++] = b ^ 0x20;
    } else {
      out[o++] = b;
    }
  }
  out[o++] = crc >>> 8;
  out[o++] = crc & 0xff;
  out[o] = FRAME_FLAG;
  return out;
}
