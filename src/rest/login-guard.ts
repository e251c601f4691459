/**
 * What stands between a password guesser and everyone else, as pam_faillock and a
 * bounded PAM stack do for bmcweb:
 * - failed logins are counted per user name; after `deny` failures within `unlockTime`
 *   the name is locked until `unlockTime` after the last failure, and a locked name is
 *   refused before any hash is computed (even with the right password, as faillock does);
 * - password checks (scrypt: ~40 ms of CPU and 16 MiB each) run at most `checksAtOnce`
 *   at a time, taken from per-user queues in turn, so a flood on one name (or on unknown
 *   names, which share one queue) waits behind itself, not in front of the administrator;
 *   a queue that is full refuses at once instead of growing. Known names without recent
 *   failures are served before the rest (unknown names, names being guessed), so a
 *   flood costs a clean login at most the checks already running.
 */
import type { Clock } from "../os/clock.js";

export interface LoginGuardSettings {
  /** Failures that lock a name (pam_faillock `deny`); 0 never locks. */
  readonly deny: number;
  /** How long a lock lasts after the last failure, and the window failures are counted in (`unlock_time`, `fail_interval`). */
  readonly unlockTimeMs: number;
  /** Password checks computed at once. */
  readonly checksAtOnce: number;
  /** Password checks waiting per user name (unknown names share one queue). */
  readonly queuePerUser: number;
}

export type CheckResult<T> = { kind: "checked"; value: T } | { kind: "locked"; untilMs: number } | { kind: "busy" };

interface Tally {
  failures: number;
  lastFailureMs: number;
}

/** Bounds the memory a flood of made-up names can take. */
const MAX_TALLIES = 10_000;

export class LoginGuard {
  private readonly tallies = new Map<string, Tally>();
  /** Waiting checks per queue key: names without failures first, then the suspect ones. */
  private readonly clean = new Map<string, (() => void)[]>();
  private readonly suspect = new Map<string, (() => void)[]>();
  private running = 0;

  constructor(
    private readonly settings: LoginGuardSettings,
    private readonly clock: Clock,
  ) {}

  /** When `username` is locked, the time it unlocks; else undefined. */
  lockedUntil(username: string): number | undefined {
    const tally = this.tallies.get(username);
    if (tally === undefined || this.settings.deny === 0) return undefined;
    const until = tally.lastFailureMs + this.settings.unlockTimeMs;
    if (this.clock.now() >= until) {
      this.tallies.delete(username);
      return undefined;
    }
    return tally.failures >= this.settings.deny ? until : undefined;
  }

  /**
   * Runs `check` (the password hash) for `username` unless the name is locked or its queue
   * is full; `check` says whether the password was right, and the tally follows.
   * `queueKey` groups names that share a queue (all unknown names are one); `known` says
   * whether the name is a user's (unknown names always wait behind known ones).
   */
  async check<T>(username: string, queueKey: string, known: boolean, check: () => Promise<{ ok: boolean; value: T }>): Promise<CheckResult<T>> {
    const locked = this.lockedUntil(username);
    if (locked !== undefined) return { kind: "locked", untilMs: locked };
    const tier = known && !this.tallies.has(username) ? this.clean : this.suspect;
    if (!(await this.turn(tier, queueKey))) return { kind: "busy" };
    let result: { ok: boolean; value: T };
    try {
      result = await check();
    } finally {
      this.done();
    }
    // Another check of the same name may have locked it meanwhile: faillock refuses then too.
    const lockedNow = this.lockedUntil(username);
    if (lockedNow !== undefined) return { kind: "locked", untilMs: lockedNow };
    if (result.ok) this.tallies.delete(username);
    else this.fail(username);
    return { kind: "checked", value: result.value };
  }

  private fail(username: string): void {
    const now = this.clock.now();
    const tally = this.tallies.get(username) ?? { failures: 0, lastFailureMs: now };
    this.tallies.delete(username);
    if (this.tallies.size >= MAX_TALLIES) {
      const oldest = this.tallies.keys().next().value;
      if (oldest !== undefined) this.tallies.delete(oldest);
    }
    tally.failures += 1;
    tally.lastFailureMs = now;
    this.tallies.set(username, tally);
  }

  /** Resolves true when a check may run, false at once when the key's queue is full. */
  private turn(tier: Map<string, (() => void)[]>, queueKey: string): Promise<boolean> {
    if (this.running < this.settings.checksAtOnce) {
      this.running += 1;
      return Promise.resolve(true);
    }
    const queue = tier.get(queueKey) ?? [];
    if (queue.length >= this.settings.queuePerUser) return Promise.resolve(false);
    tier.set(queueKey, queue);
    return new Promise((resolve) => queue.push(() => resolve(true)));
  }

  /** Hands the freed slot on: clean queues first, each tier in turn (Map order, the served queue goes last). */
  private done(): void {
    for (const tier of [this.clean, this.suspect]) {
      for (const [key, queue] of tier) {
        const next = queue.shift();
        tier.delete(key);
        if (queue.length > 0) tier.set(key, queue);
        if (next !== undefined) {
          next();
          return;
        }
      }
    }
    this.running -= 1;
  }
}
