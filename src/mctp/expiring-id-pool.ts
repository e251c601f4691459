/**
 * Small ids handed out per scope (a peer, a TID), round robin so a just-freed id is the
 * last to be reused, and reclaimed after an expiry even if never released: a lost
 * response must not leak an id forever. MCTP tags and PLDM instance ids both work so.
 */
import type { Clock } from "../os/clock.js";

export class ExpiringIdPool {
  /** Per scope: time until which each id is held (0 = free). */
  private readonly heldUntil = new Map<number, Float64Array>();
  private readonly cursor = new Map<number, number>();

  constructor(
    readonly size: number,
    protected readonly clock: Clock,
    private readonly expiryMs: number,
  ) {}

  /** A free id for `scope`, or null when all are held. */
  allocate(scope: number): number | null {
    const now = this.clock.now();
    let held = this.heldUntil.get(scope);
    if (!held) this.heldUntil.set(scope, (held = new Float64Array(this.size)));
    const start = this.cursor.get(scope) ?? 0;
    for (let i = 0; i < this.size; i++) {
      const id = (start + i) % this.size;
      if (held[id]! <= now) {
        held[id] = now + this.expiryMs;
        this.cursor.set(scope, (id + 1) % this.size);
        return id;
      }
    }
    return null;
  }

  release(scope: number, id: number): void {
    const held = this.heldUntil.get(scope);
    if (held && id >= 0 && id < this.size) held[id] = 0;
  }

  inUse(scope: number): number {
    const now = this.clock.now();
    const held = this.heldUntil.get(scope);
    return held ? held.filter((t) => t > now).length : 0;
  }
}
