import type { Readable, Writable } from "node:stream";
import { BaseLink, type SerialLink } from "./serial-link.js";

/** How long release() waits for the OS to confirm a stream is closed before giving up on it. */
const CLOSE_BOUND_MS = 2000;

/**
 * A link over a Node readable/writable pair (a tty socket, stdin/stdout, pipes).
 * End of input or a hang-up (EIO on a tty whose other side went away) closes the link.
 */
export class StreamLink extends BaseLink implements SerialLink {
  constructor(
    readonly description: string,
    private readonly input: Readable,
    private readonly output: Writable,
    /** Closes what this link owns; called once, after the link stopped reading. */
    private readonly releaseStreams: () => Promise<void>,
  ) {
    super();
    input.on("data", (chunk: Buffer) => this.received(chunk));
    input.once("end", () => this.hungUp("end of input"));
    input.on("error", (err: NodeJS.ErrnoException) => this.streamFailed("input", err));
    output.on("error", (err: NodeJS.ErrnoException) => this.streamFailed("output", err));
  }

  protected transmit(bytes: Uint8Array): void {
    // Buffer.from copies: the caller may reuse its buffer before the write completes.
    this.output.write(Buffer.from(bytes));
  }

  protected async release(): Promise<void> {
    this.input.pause();
    this.input.removeAllListeners("data");
    await this.releaseStreams();
  }

  private streamFailed(side: "input" | "output", err: NodeJS.ErrnoException): void {
    // EIO/EPIPE are how a tty or a pipe reports that the far end is gone: a close, not a fault.
    if (err.code === "EIO" || err.code === "EPIPE" || err.code === "ECONNRESET") {
      this.hungUp(`${side} hang-up (${err.code})`);
      return;
    }
    this.failed(err);
    this.hungUp(`${side} error: ${err.message}`);
  }

  private hungUp(reason: string): void {
    if (!this.isOpen) return;
    this.closed(reason);
    void this.close();
  }
}

/** Destroys a stream and resolves once it reports 'close', or after a bound if it never does. */
export function destroyStream(stream: Readable | Writable): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const bound = setTimeout(resolve, CLOSE_BOUND_MS);
    stream.once("close", () => {
      clearTimeout(bound);
      resolve();
    });
    stream.destroy();
  });
}
