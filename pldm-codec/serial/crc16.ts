/**
 * DSP0253 frame check: CRC-16 with the reflected polynomial 0x8408, init 0xFFFF and no
 * final XOR (CRC-16/MCRF4XX; check("123456789") = 0x6F91). Table-driven, a byte a step.
 */
export const CRC16_TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
    t[n] = c;
  }
  return t;
})();

export const CRC16_INIT = 0xffff;

/** Continues a CRC over bytes [start, end). */
export function crc16Update(crc: number, b: Uint8Array, start = 0, end = b.length): number {
  const t = CRC16_TABLE;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ t[(crc ^ b[i]!) & 0xff]!;
  return crc;
}

export function crc16Mcrf4xx(b: Uint8Array, init = CRC16_INIT): number {
  return crc16Update(init, b);
}
