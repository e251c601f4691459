import { BaseLink, type SerialLink } from "./serial-link.js";
import { seededRandom } from "../os/random.js";

export interface FaultOptions {
  /** Probability that a written byte is XOR-corrupted (to a different value). */
  corruptRate?: number;
  /** Probability that a written byte is dropped. */
  dropRate?: number;
  /** PRNG seed; the same seed and writes give the same faults. */
  seed?: number;
}

export interface FaultStats {
  bytesWritten: number;
  bytesCorrupted: number;
  bytesDropped: number;
}

const DEFAULT_SEED = 0x5eed;

/**
 * Damages what is written, as a noisy line would: each byte is independently dropped with
 * dropRate or corrupted with corruptRate (one draw decides, so the two never hit the same byte).
 * Received bytes pass through untouched; put one on each end to damage both directions.
 */
export class FaultInjectingLink extends BaseLink implements SerialLink {
  readonly description: string;
  readonly stats: FaultStats = { bytesWritten: 0, bytesCorrupted: 0, bytesDropped: 0 };
  private readonly corruptRate: number;
  private readonly dropRate: number;
  private readonly random: () => number;

  constructor(
    private readonly inner: SerialLink,
    options: FaultOptions = {},
  ) {
    super();
    this.corruptRate = checkRate("corruptRate", options.corruptRate ?? 0);
    this.dropRate = checkRate("dropRate", options.dropRate ?? 0);
    if (this.corruptRate + this.dropRate > 1) throw new RangeError("corruptRate + dropRate must not exceed 1");
    this.random = seededRandom(options.seed ?? DEFAULT_SEED);
    this.description = `${inner.description} with faults (corrupt ${this.corruptRate}, drop ${this.dropRate})`;
    inner.on("data", (chunk) => this.received(chunk));
    inner.on("error", (err) => this.failed(err));
    inner.on("close", (reason) => this.closed(reason));
  }

  protected transmit(bytes: Uint8Array): void {
    this.stats.bytesWritten += bytes.length;
    if (this.corruptRate === 0 && this.dropRate === 0) {
      this.inner.write(bytes);
      return;
    }
    const out = new Uint8Array(bytes.length);
    let kept = 0;
    for (const byte of bytes) {
      const draw = this.random();
      if (draw < this.dropRate) {
        this.stats.bytesDropped++;
      } else if (draw < this.dropRate + this.corruptRate) {
        // A non-zero mask (1..255) guarantees the byte changes.
        out[kept++] = byte ^ (1 + Math.floor(this.random() * 255));
        this.stats.bytesCorrupted++;
      } else {
        out[kept++] = byte;
      }
    }
    if (kept > 0) this.inner.write(out.subarray(0, kept));
  }

  protected release(): Promise<void> {
    return this.inner.close();
  }
}

function checkRate(name: string, rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${name} must be within [0, 1], got ${rate}`);
  return rate;
}

/** Wraps a link so that written bytes are dropped or corrupted at the given rates, reproducibly. */
export function injectFaults(inner: SerialLink, options: FaultOptions = {}): FaultInjectingLink {
  return new FaultInjectingLink(inner, options);
}
