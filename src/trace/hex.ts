/** Hex text as people paste it: "85 3f 0a", "853f0a", "0x85,0x3f", with # comments. */
export class HexError extends Error {
  override readonly name = "HexError";
}

const STRIP = /#.*$|0x|[\s,:;-]/gi;

export function parseHex(text: string): Uint8Array {
  const digits = text.replace(STRIP, "");
  if (!/^[0-9a-f]*$/i.test(digits)) throw new HexError(`not hex: "${text.trim().slice(0, 40)}"`);
  if (digits.length % 2) throw new HexError(`odd number of hex digits (${digits.length})`);
  // Node's native hex codec: traces run to megabytes, and per-byte parseInt is what made them slow.
  return new Uint8Array(Buffer.from(digits, "hex"));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}
