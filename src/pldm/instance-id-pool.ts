/**
 * PLDM instance ids (DSP0240): 32 per terminus, handed out round robin so a
 * just-freed id is the last to be reused, and reclaimed after an expiry even if
 * never freed (a lost response must not leak an id forever).
 */
import type { Clock } from "../os/clock.js";

export const INSTANCE_IDS_PER_TID = 32;

export class InstanceIdPool {
  /** Per TID: time until which each id is held (0 = free). */
  private readonly heldUntil = new Map<number, Float64Array>();
  private readonly cursor = new Map<number, number>();

  constructor(
    private readonly clock: Clock,
    private readonly expiryMs = 5000,
  ) {}

  allocate(tid: number): number | null {
    const now = this.clock.now();
    let held = this.heldUntil.get(tid);
    if (!held) this.heldUntil.set(tid, (held = new Float64Array(INSTANCE_IDS_PER_TID)));
    const start = this.cursor.get(tid) ?? 0;
    for (let i = 0; i < INSTANCE_IDS_PER_TID; i++) {
      const id = (start + i) % INSTANCE_IDS_PER_TID;
      if (held[id]! <= now) {
        held[id] = now + this.expiryMs;
        this.cursor.set(tid, (id + 1) % INSTANCE_IDS_PER_TID);
        return id;
      }
    }
    return null;
  }

  release(tid: number, id: number): void {
    const held = this.heldUntil.get(tid);
    if (held && id >= 0 && id < INSTANCE_IDS_PER_TID) held[id] = 0;
  }

  free(tid: number): number {
    const now = this.clock.now();
    const held = this.heldUntil.get(tid);
    return held ? held.filter((t) => t <= now).length : INSTANCE_IDS_PER_TID;
  }
}
