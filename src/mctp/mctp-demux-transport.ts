/**
 * A client of libmctp's mctp-demux-daemon, as pldmd was: one AF_UNIX SOCK_SEQPACKET
 * connection (abstract `\0mctp-mux` by default), registered for one MCTP message type by
 * sending that type as a single byte, then one packet per message each way:
 * `[eid][type][body]` (the eid is the destination going out, the source coming in; no IC bit).
 *
 * Facts of that daemon this follows:
 * - it sends every message with tag owner 1 and tag 0 and hands us no tags: responses are
 *   matched by PLDM instance id alone (the requester does), requests and responses told
 *   apart by the PLDM Rq bit (the terminus does); our tag allocator only bounds concurrency;
 * - it gives every message of our type to every client of that type: responses we did not
 *   ask for are dropped by the requester (unmatchedResponses), and what another local client
 *   sent to the demux's own EID (it comes back with that EID as source) is dropped here;
 * - it answers MCTP control itself, so we never see control messages;
 * - it can restart: the connection is made again with backoff (doubling, capped), and the
 *   state shows as `linkState` ("connecting" while down) and `link-state` events. Messages
 *   sent while down are counted in txDropped; PLDM retries cover a short restart.
 */
import { EventEmitter } from "eventemitter3";
import { MctpMessageType } from "../../pldm-codec/mctp/packet.js";
import { SeqpacketError, SeqpacketSocket, printableSocketName } from "../link/seqpacket-socket.js";
import { silentLogger, type Logger } from "../log.js";
import { systemClock, type Clock, type Timer } from "../os/clock.js";
import type { MctpLinkState, MctpTransport, MctpTransportEvents, MctpTransportStats } from "./mctp-transport.js";
import { TagAllocator } from "./tag-allocator.js";

export const DEFAULT_DEMUX_SOCKET = "\0mctp-mux";

export interface MctpDemuxOptions {
  /** Socket name: "\0name" (or "@name") abstract, else a path. */
  socket?: string;
  /** Our EID: the demux daemon's own (its -e), which we speak as. */
  localEid: number;
  /** First reconnect delay, doubled per failure up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  clock?: Clock;
  log?: Logger;
  /** How to connect; tests give a fake. */
  connect?: (name: string) => SeqpacketSocket;
}

export class MctpDemuxTransport extends EventEmitter<MctpTransportEvents> implements MctpTransport {
  readonly localEid: number;
  readonly tags: TagAllocator;
  readonly socketName: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly connectTo: (name: string) => SeqpacketSocket;
  private readonly firstBackoffMs: number;
  private readonly maxBackoffMs: number;
  private backoffMs: number;
  private socket: SeqpacketSocket | null = null;
  private retry: Timer | null = null;
  private state: MctpLinkState = "connecting";
  private closed = false;
  private lastError = "";
  private readonly counters = { txMessages: 0, rxMessages: 0, txBytes: 0, rxBytes: 0, txDropped: 0, reconnects: 0, badPackets: 0, unknownType: 0, notForUs: 0 };

  constructor(opts: MctpDemuxOptions) {
    super();
    this.localEid = opts.localEid;
    this.socketName = opts.socket ?? DEFAULT_DEMUX_SOCKET;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
    this.connectTo = opts.connect ?? ((name) => SeqpacketSocket.connect(name));
    this.firstBackoffMs = opts.backoffMs ?? 100;
    this.maxBackoffMs = opts.maxBackoffMs ?? 5000;
    this.backoffMs = this.firstBackoffMs;
    this.tags = new TagAllocator(this.clock);
    this.connect();
  }

  get description(): string {
    return `mctp-demux ${printableSocketName(this.socketName)} as EID ${this.localEid}`;
  }

  get linkState(): MctpLinkState {
    return this.state;
  }

  /** The tag is not ours to choose: the demux daemon sends every message with tag owner 1, tag 0. */
  send(dest: number, messageType: number, body: Uint8Array, _tag?: { tag: number; tagOwner: boolean }): void {
    const packet = new Uint8Array(body.length + 2);
    packet[0] = dest;
    packet[1] = messageType;
    packet.set(body, 2);
    if (!this.socket?.send(packet)) {
      this.counters.txDropped++;
      return;
    }
    this.counters.txMessages++;
    this.counters.txBytes += packet.length;
  }

  stats(): MctpTransportStats & { badPackets: number; unknownType: number; notForUs: number; lastError: string } {
    return { ...this.counters, serial: null, linkState: this.state, lastError: this.lastError };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.retry?.cancel();
    this.retry = null;
    const s = this.socket;
    this.socket = null;
    s?.close();
    this.setState("down");
  }

  private connect(): void {
    this.retry = null;
    if (this.closed) return;
    let socket: SeqpacketSocket;
    try {
      socket = this.connectTo(this.socketName);
    } catch (e) {
      if (!(e instanceof SeqpacketError) || e.reason !== "connect") throw e;
      this.down(e.message);
      return;
    }
    socket.on("packet", (p) => this.receive(p));
    socket.once("close", (errno) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.down(errno ? `connection lost (errno ${errno})` : "the demux daemon closed the connection");
    });
    // Register for PLDM: the first packet is the message type alone.
    if (!socket.send(Uint8Array.of(MctpMessageType.Pldm))) {
      socket.close();
      this.down("could not register with the demux daemon");
      return;
    }
    this.socket = socket;
    if (this.state === "connecting" && this.lastError) this.counters.reconnects++;
    this.backoffMs = this.firstBackoffMs;
    this.lastError = "";
    this.log.info({ link: this.description }, "connected to the MCTP demux daemon");
    this.setState("up");
  }

  private down(why: string): void {
    if (this.closed) return;
    if (why !== this.lastError) this.log.warn({ link: this.description, why, retryMs: this.backoffMs }, "MCTP demux daemon not reachable; trying again");
    this.lastError = why;
    this.setState("connecting");
    this.retry = this.clock.after(this.backoffMs, () => this.connect());
    this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2);
  }

  private setState(s: MctpLinkState): void {
    if (s === this.state) return;
    this.state = s;
    this.emit("link-state", s);
  }

  private receive(p: Uint8Array): void {
    this.counters.rxBytes += p.length;
    if (p.length < 3) {
      this.counters.badPackets++;
      return;
    }
    const messageType = p[1]!;
    if (messageType !== MctpMessageType.Pldm) {
      this.counters.unknownType++;
      return;
    }
    // Another local client talking to the demux's own EID comes back to every client with that
    // EID as source: not the host's, and not ours to answer.
    if (p[0] === this.localEid) {
      this.counters.notForUs++;
      return;
    }
    this.counters.rxMessages++;
    // The demux keeps no tags for us: what it sent us carried tag owner 1, tag 0.
    this.emit("pldm", { src: p[0]!, dest: this.localEid, tag: 0, tagOwner: true, messageType, body: p.subarray(2) });
  }
}
