/**
 * Sessions as bmcweb hands them out after POST /login or POST
 * /redfish/v1/SessionService/Sessions: a token (X-Auth-Token or the SESSION cookie), a
 * CSRF token for cookie use, and an id for the Redfish resource. Kept in memory only (a
 * restart logs everyone out), dropped after a time without use.
 *
 * Each user has at most `perUser` sessions; a new login pushes out that same user's least
 * recently used one. One user's logins never touch another user's sessions, so a ReadOnly
 * account cannot push an Administrator out, and memory is bounded by users × perUser.
 */
import { randomInt } from "node:crypto";
import type { Clock } from "../os/clock.js";
import type { User } from "./users.js";

/** bmcweb's token length (persistent_data::sessionTokenSize), from the same alphabet. */
export const SESSION_TOKEN_LENGTH = 20;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export interface Session {
  readonly token: string;
  readonly csrfToken: string;
  /** The Redfish resource id (/redfish/v1/SessionService/Sessions/<id>). */
  readonly id: string;
  readonly user: User;
  lastUsedMs: number;
}

function randomToken(length: number): string {
  let token = "";
  for (let i = 0; i < length; i++) token += ALPHABET[randomInt(ALPHABET.length)];
  return token;
}

export class SessionStore {
  /** Map order is use order: touch() re-inserts. */
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly clock: Clock,
    private readonly idleTimeoutMs: number,
    private readonly perUser: number,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  create(user: User): Session {
    this.sweep();
    const own = [...this.sessions.values()].filter((s) => s.user.username === user.username);
    for (const old of own.slice(0, Math.max(0, own.length - this.perUser + 1))) this.sessions.delete(old.token);
    const session: Session = {
      token: randomToken(SESSION_TOKEN_LENGTH),
      csrfToken: randomToken(SESSION_TOKEN_LENGTH),
      id: randomToken(10),
      user,
      lastUsedMs: this.clock.now(),
    };
    this.sessions.set(session.token, session);
    return session;
  }

  /** The session, refreshing its idle timer, or undefined when unknown or expired. */
  touch(token: string): Session | undefined {
    const session = this.sessions.get(token);
    if (session === undefined) return undefined;
    this.sessions.delete(token);
    if (this.clock.now() - session.lastUsedMs > this.idleTimeoutMs) return undefined;
    session.lastUsedMs = this.clock.now();
    this.sessions.set(token, session);
    return session;
  }

  byId(id: string): Session | undefined {
    return [...this.sessions.values()].find((s) => s.id === id);
  }

  /** Whether there was such a session. */
  delete(token: string): boolean {
    return this.sessions.delete(token);
  }

  /** Sessions of `username` (all when undefined), oldest use first. */
  list(username?: string): Session[] {
    this.sweep();
    return [...this.sessions.values()].filter((s) => username === undefined || s.user.username === username);
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [token, session] of this.sessions) {
      if (now - session.lastUsedMs > this.idleTimeoutMs) this.sessions.delete(token);
    }
  }
}
