/**
 * A cap on open connections that never locks the administrator out. Node's own
 * server.maxConnections refuses the *new* connection at the cap, which hands the front to
 * whoever opened sockets first and keeps them idle. Here a new connection at the cap
 * instead closes the oldest connection that has no request in flight (still in its TLS
 * handshake, or idle between requests): a flood of idle sockets only ever evicts itself,
 * while an HMC's SignCSR waiting on the host is never cut.
 *
 * It also closes a connection that has no request in flight and has not sent a whole
 * request's headers within `idleTimeoutMs` (since it opened, or since its last answer):
 * node's headersTimeout does not reach a TLS connection that sends nothing or half a
 * header, so without this such sockets stayed open until the socket time-out.
 */
import type { Socket } from "node:net";
import type { Server } from "node:https";
import type { Logger } from "../log.js";
import type { Clock, Timer } from "../os/clock.js";

interface Tracked {
  readonly socket: Socket;
  inFlight: number;
  idleTimer?: Timer;
}

const endpoint = (address: string | undefined, port: number | undefined) => `${address ?? "?"}|${port ?? 0}`;

export class ConnectionGuard {
  /** Raw connections by remote address and port, oldest first. */
  private readonly open = new Map<string, Tracked>();
  private evictions = 0;
  private idleClosed = 0;

  constructor(
    server: Server,
    private readonly maxConnections: number,
    private readonly idleTimeoutMs: number,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    server.on("connection", (socket: Socket) => this.accept(socket));
    // The TLS socket of a request has the raw socket's remote address and port.
    server.on("request", (request: { socket: Socket }, response: { once(event: "close", listener: () => void): unknown }) => {
      const tracked = this.open.get(endpoint(request.socket.remoteAddress, request.socket.remotePort));
      if (tracked === undefined) return;
      tracked.inFlight += 1;
      tracked.idleTimer?.cancel();
      response.once("close", () => {
        tracked.inFlight -= 1;
        if (tracked.inFlight === 0) this.armIdle(tracked);
      });
    });
  }

  get size(): number {
    return this.open.size;
  }

  get evicted(): number {
    return this.evictions;
  }

  private accept(socket: Socket): void {
    const key = endpoint(socket.remoteAddress, socket.remotePort);
    if (this.open.size >= this.maxConnections && !this.evictIdle()) {
      this.log.warn({ open: this.open.size }, "connection cap reached with every connection busy; refusing a new one");
      socket.destroy();
      return;
    }
    const tracked: Tracked = { socket, inFlight: 0 };
    this.open.set(key, tracked);
    this.armIdle(tracked);
    socket.once("close", () => {
      tracked.idleTimer?.cancel();
      if (this.open.get(key)?.socket === socket) this.open.delete(key);
    });
  }

  private armIdle(tracked: Tracked): void {
    tracked.idleTimer?.cancel();
    tracked.idleTimer = this.clock.after(this.idleTimeoutMs, () => {
      if (tracked.inFlight > 0) return;
      this.idleClosed += 1;
      if (this.idleClosed === 1 || this.idleClosed % 100 === 0)
        this.log.info({ idleClosed: this.idleClosed, ms: this.idleTimeoutMs }, "closed a connection that sent no request in time");
      tracked.socket.destroy();
    });
  }

  private evictIdle(): boolean {
    for (const [key, tracked] of this.open) {
      if (tracked.inFlight > 0) continue;
      this.open.delete(key);
      tracked.idleTimer?.cancel();
      tracked.socket.destroy();
      this.evictions += 1;
      if (this.evictions === 1 || this.evictions % 100 === 0)
        this.log.warn({ evictions: this.evictions, cap: this.maxConnections }, "connection cap reached; closed the oldest idle connection");
      return true;
    }
    return false;
  }
}
