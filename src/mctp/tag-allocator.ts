/**
 * MCTP message tags for requests we own (TO=1): 8 per peer. A tag is ours from send
 * until its response arrives or it expires, so a late response cannot be taken for
 * a new request's.
 */
import type { Clock } from "../os/clock.js";

const TAGS = 8;

export class TagAllocator {
  private readonly busyUntil = new Map<number, number[]>();
  private readonly next = new Map<number, number>();

  constructor(
    private readonly clock: Clock,
    private readonly expiryMs = 6000,
  ) {}

  /** A free tag for `peer`, or null when all 8 are in use. Round robin, like Linux. */
  allocate(peer: number): number | null {
    const now = this.clock.now();
    let busy = this.busyUntil.get(peer);
    if (!busy) this.busyUntil.set(peer, (busy = new Array<number>(TAGS).fill(0)));
    const start = this.next.get(peer) ?? 0;
    for (let i = 0; i < TAGS; i++) {
      const tag = (start + i) % TAGS;
      if (busy[tag]! <= now) {
        busy[tag] = now + this.expiryMs;
        this.next.set(peer, (tag + 1) % TAGS);
        return tag;
      }
    }
    return null;
  }

  release(peer: number, tag: number): void {
    const busy = this.busyUntil.get(peer);
    if (busy && tag >= 0 && tag < TAGS) busy[tag] = 0;
  }

  inUse(peer: number): number {
    const now = this.clock.now();
    return (this.busyUntil.get(peer) ?? []).filter((t) => t > now).length;
  }
}
