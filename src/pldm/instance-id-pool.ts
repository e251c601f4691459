/**
 * PLDM instance ids (DSP0240): 32 per terminus, handed out round robin so a
 * just-freed id is the last to be reused, and reclaimed after an expiry (5 s) even if
 * never freed.
 */
import { ExpiringIdPool } from "../mctp/expiring-id-pool.js";
import type { Clock } from "../os/clock.js";

export const INSTANCE_IDS_PER_TID = 32;

export class InstanceIdPool extends ExpiringIdPool {
  constructor(clock: Clock, expiryMs = 5000) {
    super(INSTANCE_IDS_PER_TID, clock, expiryMs);
  }

  free(tid: number): number {
    return this.size - this.inUse(tid);
  }
}
