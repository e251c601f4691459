/**
 * Session tokens as bmcweb hands them out after POST /login: random, kept in memory
 * only (a restart logs everyone out), dropped after a time without use.
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../os/clock.js";
import type { User } from "./users.js";

interface Session {
  readonly user: User;
  lastUsedMs: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly clock: Clock,
    private readonly idleTimeoutMs: number,
    /** A bound on memory: the least recently used session goes first. */
    private readonly maxSessions: number,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  create(user: User): string {
    this.sweep();
    if (this.sessions.size >= this.maxSessions) {
      // Map keeps insertion order and touch() re-inserts, so the first key is the least recently used.
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const token = randomBytes(24).toString("base64url");
    this.sessions.set(token, { user, lastUsedMs: this.clock.now() });
    return token;
  }

  /** The session's user, refreshing its idle timer, or undefined when unknown or expired. */
  touch(token: string): User | undefined {
    const session = this.sessions.get(token);
    if (session === undefined) return undefined;
    this.sessions.delete(token);
    if (this.clock.now() - session.lastUsedMs > this.idleTimeoutMs) return undefined;
    session.lastUsedMs = this.clock.now();
    this.sessions.set(token, session);
    return session.user;
  }

  /** Whether there was such a session. */
  delete(token: string): boolean {
    return this.sessions.delete(token);
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [token, session] of this.sessions) {
      if (now - session.lastUsedMs > this.idleTimeoutMs) this.sessions.delete(token);
    }
  }
}
