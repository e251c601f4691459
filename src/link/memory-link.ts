import { BaseLink, type SerialLink } from "./serial-link.js";

/**
 * One end of an in-memory cable. Delivery is asynchronous (a later macrotask, like real I/O),
 * in order, and copies the bytes so the writer may reuse its buffer. Closing either end
 * closes both, after the bytes already written have been delivered.
 */
export class MemoryLink extends BaseLink implements SerialLink {
  private peer: MemoryLink | undefined;
  private readonly inbox: Uint8Array[] = [];
  private drainScheduled = false;
  private hangUpReason: string | undefined;

  constructor(readonly description: string) {
    super();
  }

  /** Wires two ends together; only createMemoryLinkPair() calls this. */
  static connect(a: MemoryLink, b: MemoryLink): void {
    a.peer = b;
    b.peer = a;
  }

  protected transmit(bytes: Uint8Array): void {
    this.peer?.enqueue(bytes.slice());
  }

  protected async release(): Promise<void> {
    const peer = this.peer;
    this.peer = undefined;
    peer?.hangUp("peer closed");
    // Let the peer see its close before ours resolves, as a real hang-up would.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private enqueue(chunk: Uint8Array): void {
    this.inbox.push(chunk);
    this.scheduleDrain();
  }

  /** The far end went away: deliver what is in flight, then close. */
  private hangUp(reason: string): void {
    this.peer = undefined;
    this.hangUpReason = reason;
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      for (let chunk = this.inbox.shift(); chunk; chunk = this.inbox.shift()) this.received(chunk);
      if (this.hangUpReason !== undefined) this.closed(this.hangUpReason);
    });
  }
}

export function createMemoryLinkPair(names: readonly [string, string] = ["A", "B"]): [MemoryLink, MemoryLink] {
  const a = new MemoryLink(`memory ${names[0]}`);
  const b = new MemoryLink(`memory ${names[1]}`);
  MemoryLink.connect(a, b);
  return [a, b];
}
