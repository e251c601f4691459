import { systemClock, type Clock, type Timer } from "../os/clock.js";
import { BaseLink, type SerialLink } from "./serial-link.js";

export interface PaceOptions {
  /** Line speed in bits per second; a byte costs 10 bits (start, 8 data, stop). */
  baud: number;
  clock?: Clock;
}

const BITS_PER_BYTE = 10;

/**
 * Emulates a UART on the sending side: written bytes are queued in order and handed to the
 * inner link no sooner than the line could have shifted them out, at baud/10 bytes per second.
 * Each byte is released when its last bit would have left, in batches per timer tick.
 * Receiving is not paced (the far end paces its own sending); events pass through.
 *
 * close() drains like tcdrain(): bytes already written still go out at line speed, then the
 * inner link is closed. The wait is bounded by the queue length times the byte time.
 * Writes after close() began are dropped and counted.
 */
export class PacedLink extends BaseLink implements SerialLink {
  readonly description: string;
  private readonly baud: number;
  private readonly clock: Clock;
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  /** Start of the current busy period and bytes sent in it: due times are computed from these, never summed. */
  private busySince = 0;
  private sentInPeriod = 0;
  private timer: Timer | undefined;
  private drained: (() => void) | undefined;

  constructor(
    private readonly inner: SerialLink,
    options: PaceOptions,
  ) {
    super();
    if (!(options.baud > 0 && Number.isFinite(options.baud))) {
      throw new RangeError(`baud must be a positive number, got ${options.baud}`);
    }
    this.baud = options.baud;
    this.clock = options.clock ?? systemClock;
    this.description = `${inner.description} paced at ${options.baud} baud`;
    inner.on("data", (chunk) => this.received(chunk));
    inner.on("error", (err) => this.failed(err));
    inner.on("close", (reason) => this.innerClosed(reason));
  }

  /** Bytes written but not yet on the line. */
  get pendingBytes(): number {
    return this.queued;
  }

  protected transmit(bytes: Uint8Array): void {
    if (this.queued === 0 && this.timer === undefined) {
      // The line was idle: a new busy period starts now (never earlier than the last byte's end).
      this.busySince = Math.max(this.clock.now(), this.endOfByte(this.sentInPeriod));
      this.sentInPeriod = 0;
    }
    this.queue.push(bytes.slice());
    this.queued += bytes.length;
    this.schedule();
  }

  protected async release(): Promise<void> {
    if (this.queued > 0 && this.inner.isOpen) await new Promise<void>((resolve) => (this.drained = resolve));
    await this.inner.close();
  }

  /** When the k-th byte of the busy period (1-based) has fully left the line. */
  private endOfByte(k: number): number {
    return this.busySince + (k * BITS_PER_BYTE * 1000) / this.baud;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queued === 0) return;
    const wait = Math.max(0, Math.ceil(this.endOfByte(this.sentInPeriod + 1) - this.clock.now()));
    this.timer = this.clock.after(wait, () => {
      this.timer = undefined;
      this.pump();
    });
  }

  /** Sends every queued byte whose last bit has left by now, as one chunk. */
  private pump(): void {
    const done = Math.floor(((this.clock.now() - this.busySince) * this.baud) / (BITS_PER_BYTE * 1000));
    const ready = Math.min(this.queued, done - this.sentInPeriod);
    if (ready > 0) {
      this.sentInPeriod += ready;
      this.queued -= ready;
      this.inner.write(this.take(ready));
    }
    if (this.queued > 0) this.schedule();
    else this.drained?.();
  }

  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const head = this.queue[0]!;
      const part = Math.min(head.length, n - at);
      out.set(head.subarray(0, part), at);
      at += part;
      if (part === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(part);
    }
    return out;
  }

  private innerClosed(reason: string): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.countDropped(this.queued);
    this.queue.length = 0;
    this.queued = 0;
    this.drained?.();
    this.closed(reason);
  }
}

/** Wraps a link so that what is written to it leaves no faster than a real line at `baud`. */
export function pace(inner: SerialLink, options: PaceOptions): PacedLink {
  return new PacedLink(inner, options);
}
