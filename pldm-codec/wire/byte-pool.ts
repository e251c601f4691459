/**
 * Allocation helpers for the receive path. In V8 a typed array over 64 bytes gets a native
 * backing store of its own (~0.3 us at 68 bytes, ~1 us at 2 KB), and subarray() is about
 * twice as slow as the constructor, so hot paths carve views instead.
 */

/** bytes a[from, from + length) as a plain Uint8Array view (no copy). */
export const view = (a: Uint8Array, from: number, length: number): Uint8Array => new Uint8Array(a.buffer, a.byteOffset + from, length);

/**
 * Hands out fresh zero-filled arrays carved from a shared slab, as Node's Buffer pool does.
 * A full slab is replaced, never reused, so arrays handed out stay valid; a slab lives while
 * any array from it does, which is why only small arrays (up to 1/4 of a slab) come from it.
 */
export class BytePool {
  /** Made at the first take: a decoder that never copies never pays for one. */
  private slab: ArrayBuffer | null = null;
  private used = 0;

  constructor(private readonly slabBytes = 16 * 1024) {}

  take(n: number): Uint8Array {
    if (n > this.slabBytes >>> 2) return new Uint8Array(n);
    if (!this.slab || this.used + n > this.slabBytes) {
      this.slab = new ArrayBuffer(this.slabBytes);
      this.used = 0;
    }
    const out = new Uint8Array(this.slab, this.used, n);
    // Keep views 8-byte aligned, as Node's pool does.
    this.used = (this.used + n + 7) & ~7;
    return out;
  }
}
