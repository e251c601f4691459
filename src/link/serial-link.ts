import { EventEmitter } from "eventemitter3";

/** Events every link emits. `close` is emitted exactly once, whoever ended the link. */
export interface SerialLinkEvents {
  data: (chunk: Uint8Array) => void;
  close: (reason: string) => void;
  error: (err: Error) => void;
}

/**
 * A byte pipe to the far end, as a UART would be: no framing, no message boundaries.
 * The MCTP endpoint sits on one of these and does not care which implementation it is.
 */
export interface SerialLink {
  /** Human-readable origin for logs, e.g. "pty child host-sim pid 123", "tty /dev/pts/4", "memory A". */
  readonly description: string;
  readonly isOpen: boolean;
  /** Queues bytes for the far end; never throws after close: the bytes are counted as dropped. */
  write(bytes: Uint8Array): void;
  on<E extends keyof SerialLinkEvents>(ev: E, fn: SerialLinkEvents[E]): this;
  off<E extends keyof SerialLinkEvents>(ev: E, fn: SerialLinkEvents[E]): this;
  close(): Promise<void>;
}

/** An event map a link may emit: the common events plus any of its own (a pty child adds `exit`). */
export type LinkEventMap<Events> = SerialLinkEvents & { [E in keyof Events]: (...args: never[]) => void };

// eventemitter3 stores listeners untyped; the typed on/off/emit of BaseLink are the only way in.
const untyped = (fn: unknown) => fn as (...args: unknown[]) => void;

/**
 * The life cycle shared by every implementation: open -> closing -> closed, one `close`
 * event, writes after close counted in `droppedBytes`. Subclasses only move bytes.
 */
export abstract class BaseLink<Events extends LinkEventMap<Events> = SerialLinkEvents> implements SerialLink {
  abstract readonly description: string;
  // Composed rather than inherited: eventemitter3's own typings do not match SerialLink's on/off.
  private readonly emitter = new EventEmitter();
  private state: "open" | "closing" | "closed" = "open";
  private closing: Promise<void> | undefined;
  private dropped = 0;

  get isOpen(): boolean {
    return this.state === "open";
  }

  /** Bytes handed to write() after the link stopped accepting them, or lost in it. */
  get droppedBytes(): number {
    return this.dropped;
  }

  on<E extends keyof Events>(ev: E, fn: Events[E]): this {
    this.emitter.on(ev as string, untyped(fn));
    return this;
  }

  once<E extends keyof Events>(ev: E, fn: Events[E]): this {
    this.emitter.once(ev as string, untyped(fn));
    return this;
  }

  off<E extends keyof Events>(ev: E, fn: Events[E]): this {
    this.emitter.off(ev as string, untyped(fn));
    return this;
  }

  write(bytes: Uint8Array): void {
    if (this.state !== "open") {
      this.dropped += bytes.length;
      return;
    }
    if (bytes.length > 0) this.transmit(bytes);
  }

  /** Idempotent: every call returns the same promise, which resolves once resources are released. */
  close(): Promise<void> {
    if (this.state === "open") this.state = "closing";
    this.closing ??= this.release().then(() => this.closed("closed locally"));
    return this.closing;
  }

  /** Sends bytes; only called while open and with a non-empty chunk. */
  protected abstract transmit(bytes: Uint8Array): void;

  /** Frees OS resources; must tolerate running after the far end already went away. */
  protected abstract release(): Promise<void>;

  protected emit<E extends keyof Events>(ev: E, ...args: Parameters<Events[E]>): void {
    this.emitter.emit(ev as string, ...args);
  }

  /** Subclasses report incoming bytes here; nothing is delivered after close. */
  protected received(chunk: Uint8Array): void {
    if (this.state === "closed" || chunk.length === 0) return;
    this.emitter.emit("data", chunk);
  }

  protected failed(err: Error): void {
    this.emitter.emit("error", err);
  }

  /** Marks the link closed (once) and tells listeners why. */
  protected closed(reason: string): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.emitter.emit("close", reason);
  }

  protected countDropped(n: number): void {
    this.dropped += n;
  }
}
