/**
 * Assembles files the peer pushes (NewFileAvailable, then WriteFileByType chunks),
 * one upload per (type, handle) so several can run at once. A file is complete
 * only when every announced byte has arrived; nothing partial is ever handed on.
 */
export type UploadRefusal = "not-announced" | "out-of-range";

interface Upload {
  data: Uint8Array;
  /** Received byte ranges, kept merged and sorted. */
  ranges: [number, number][];
  received: number;
}

export class UploadAssembler {
  private readonly uploads = new Map<string, Upload>();

  constructor(private readonly maxFileBytes = 64 * 1024) {}

  /** Opens (or restarts) an upload. Returns false when the length is over the cap. */
  announce(type: number, handle: number, length: number): boolean {
    if (length > this.maxFileBytes) return false;
    this.uploads.set(key(type, handle), { data: new Uint8Array(length), ranges: [], received: 0 });
    return true;
  }

  isOpen(type: number, handle: number): boolean {
    return this.uploads.has(key(type, handle));
  }

  /**
   * Stores one chunk. Returns the whole file when this chunk completed it (the upload
   * is closed then), null while bytes are missing, or the reason it was refused.
   */
  write(type: number, handle: number, offset: number, chunk: Uint8Array): Uint8Array | null | UploadRefusal {
    const k = key(type, handle);
    const u = this.uploads.get(k);
    if (!u) return "not-announced";
    if (offset + chunk.length > u.data.length) return "out-of-range";
    u.data.set(chunk, offset);
    u.received = addRange(u.ranges, offset, offset + chunk.length);
    if (u.received < u.data.length) return null;
    this.uploads.delete(k);
    return u.data;
  }

  cancel(type: number, handle: number): void {
    this.uploads.delete(key(type, handle));
  }

  openCount(): number {
    return this.uploads.size;
  }
}

const key = (type: number, handle: number) => `${type}/${handle}`;

/** Adds [start, end) to sorted disjoint ranges; returns the total bytes covered. */
function addRange(ranges: [number, number][], start: number, end: number): number {
  if (end > start) {
    ranges.push([start, end]);
    ranges.sort((a, b) => a[0] - b[0]);
    let w = 0;
    for (let i = 1; i < ranges.length; i++) {
      const cur = ranges[w]!;
      const next = ranges[i]!;
      if (next[0] <= cur[1]) cur[1] = Math.max(cur[1], next[1]);
      else ranges[++w] = next;
    }
    ranges.length = w + 1;
  }
  return ranges.reduce((n, [a, b]) => n + (b - a), 0);
}
