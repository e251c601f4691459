/**
 * MCTP message tags for requests we own (TO=1): 8 per peer, round robin like Linux. A tag
 * is ours from send until its response arrives or it expires, so a late response cannot
 * be taken for a new request's.
 */
import type { Clock } from "../os/clock.js";
import { ExpiringIdPool } from "./expiring-id-pool.js";

const TAGS = 8;

export class TagAllocator extends ExpiringIdPool {
  constructor(clock: Clock, expiryMs = 6000) {
    super(TAGS, clock, expiryMs);
  }
}
