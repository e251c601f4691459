/**
 * How many bytes to put in the next file-transfer request on a line that may be bad: a
 * request that gets no answer halves the chunk (down to `min`), and `growAfter` answered
 * requests in a row double it again (up to `max`), as TCP does with its window. On a line
 * that damages 1 % of bytes a 1.2 KB request almost never arrives whole, while 32-64 bytes
 * mostly do; on a clean line the chunk stays the whole file.
 */
export interface AdaptiveChunkSettings {
  /** The largest chunk (Infinity: the whole file). */
  max: number;
  /** The smallest chunk it shrinks to. */
  min: number;
  /** Answered requests in a row before the chunk doubles. */
  growAfter: number;
}

export const DEFAULT_ADAPTIVE_CHUNK: AdaptiveChunkSettings = { max: Infinity, min: 32, growAfter: 8 };

export class AdaptiveChunk {
  readonly settings: AdaptiveChunkSettings;
  private size: number;
  private lastTried = 0;
  private streak = 0;

  constructor(settings: Partial<AdaptiveChunkSettings> = {}) {
    const s = { ...DEFAULT_ADAPTIVE_CHUNK, ...settings };
    if (!(s.max >= 1) || !(s.min >= 1) || !Number.isInteger(s.growAfter) || s.growAfter < 1)
      throw new RangeError(`bad adaptive chunk settings ${JSON.stringify(s)}`);
    this.settings = { ...s, min: Math.min(s.min, s.max) };
    this.size = this.settings.max;
  }

  /** The chunk it would use now (Infinity: whole). */
  get current(): number {
    return this.size;
  }

  /** Bytes for the next request when `remaining` are left to send. */
  next(remaining: number): number {
    this.lastTried = Math.max(1, Math.min(this.size, remaining));
    return this.lastTried;
  }

  /** The last request got no answer: halve what was tried. */
  failed(): void {
    this.streak = 0;
    this.size = Math.max(this.settings.min, Math.min(this.size, Math.floor(this.lastTried / 2)));
  }

  /** The last request was answered: after enough in a row, double. */
  answered(): void {
    if (this.size >= this.settings.max || ++this.streak < this.settings.growAfter) return;
    this.streak = 0;
    this.size = Math.min(this.settings.max, this.size * 2);
  }
}
