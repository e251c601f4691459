/** Hex text as people paste it: "85 3f 0a", "853f0a", "0x85,0x3f", with # comments. */
export class HexError extends Error {
  override readonly name = "HexError";
}

const STRIP = /#.*$|0x|[\s,:;-]/gi;

export function parseHex(text: string): Uint8Array {
  const digits = text.replace(STRIP, "");
  if (!/^[0-9a-f]*$/i.test(digits)) throw new HexError(`not hex: "${text.trim().slice(0, 40)}"`);
  if (digits.length % 2) throw new HexError(`odd number of hex digits (${digits.length})`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}
