/**
 * An MCTP endpoint on a serial link: DSP0253 framing, reassembly, fragmentation,
 * tag ownership, and dispatch of whole messages by type. Control requests are
 * answered here; PLDM messages are handed up.
 */
import { EventEmitter } from "eventemitter3";
import { fragmentMessage } from "../../pldm-codec/mctp/fragmenter.js";
import { decodeMctpPacket, MCTP_BASELINE_MTU, MctpMessageType } from "../../pldm-codec/mctp/packet.js";
import { MctpReassembler, type ReassembledMessage } from "../../pldm-codec/mctp/reassembler.js";
import { concatBytes } from "../../pldm-codec/wire/bytes.js";
import { encodeSerialFrame } from "../../pldm-codec/serial/frame-encoder.js";
import { SerialDeframer, type SerialDeframerStats } from "../../pldm-codec/serial/serial-deframer.js";
import type { SerialLink } from "../link/serial-link.js";
import { silentLogger, type Logger } from "../log.js";
import { systemClock, type Clock, type Timer } from "../os/clock.js";
import { answerControlRequest } from "./control-responder.js";
import type { MctpMessage, MctpTransport, MctpTransportEvents, MctpTransportStats } from "./mctp-transport.js";
import { TagAllocator } from "./tag-allocator.js";

export const MCTP_NULL_EID = 0x00;
export const MCTP_BROADCAST_EID = 0xff;

export type { MctpMessage };
/** Kept for callers that name the serial endpoint's events. */
export type MctpEndpointEvents = MctpTransportEvents;

export interface MctpEndpointOptions {
  link: SerialLink;
  localEid: number;
  clock?: Clock;
  log?: Logger;
  /** Payload bytes per packet (64 is the baseline every endpoint accepts). */
  mtu?: number;
  acceptLegacyFcs?: boolean;
}

export interface MctpEndpointStats extends MctpTransportStats {
  serial: SerialDeframerStats;
  notForUs: number;
  unknownType: number;
  badPackets: number;
  reassemblyDrops: MctpReassembler["drops"];
}

export class MctpEndpoint extends EventEmitter<MctpTransportEvents> implements MctpTransport {
  readonly localEid: number;
  readonly tags: TagAllocator;
  private readonly link: SerialLink;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly mtu: number;
  private readonly deframer: SerialDeframer;
  private readonly reassembler: MctpReassembler;
  private expiryTimer: Timer | null = null;
  private readonly counters = { notForUs: 0, unknownType: 0, badPackets: 0, txMessages: 0, rxMessages: 0, txBytes: 0, rxBytes: 0, txDropped: 0 };
  private readonly onData = (chunk: Uint8Array) => this.receive(chunk);

  constructor(opts: MctpEndpointOptions) {
    super();
    this.link = opts.link;
    this.localEid = opts.localEid;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
    this.mtu = opts.mtu ?? MCTP_BASELINE_MTU;
    this.deframer = new SerialDeframer({ acceptLegacyFcs: opts.acceptLegacyFcs ?? false, maxCount: this.mtu + 4 });
    this.reassembler = new MctpReassembler();
    this.tags = new TagAllocator(this.clock);
    this.link.on("data", this.onData);
    this.scheduleExpiry();
  }

  /** Sends a whole message, fragmented to the MTU, each packet framed for the serial line. */
  send(dest: number, messageType: number, body: Uint8Array, tag: { tag: number; tagOwner: boolean }): void {
    const message = new Uint8Array(body.length + 1);
    message[0] = messageType;
    message.set(body, 1);
    const packets = fragmentMessage({ src: this.localEid, dest, tag: tag.tag, tagOwner: tag.tagOwner, message, mtu: this.mtu });
    const frames = packets.map((p) => {
      this.emit("packet", "tx", p);
      return encodeSerialFrame(p, { maxCount: this.mtu + 4 });
    });
    // One write per message, not per packet: a certificate is ~25 frames, and each write is a syscall.
    const bytes = frames.length === 1 ? frames[0]! : concatBytes(frames);
    this.counters.txBytes += bytes.length;
    this.link.write(bytes);
    this.counters.txMessages++;
  }

  get description(): string {
    return `MCTP over serial on ${this.link.description}`;
  }

  /** The seam's counters, with the serial ones never null here, and our own MCTP drops. */
  stats(): MctpEndpointStats {
    return {
      ...this.counters,
      serial: { ...this.deframer.stats },
      reassemblyDrops: { ...this.reassembler.drops },
      linkState: this.link.isOpen ? "up" : "down",
      reconnects: 0,
    };
  }

  close(): void {
    this.link.off("data", this.onData);
    this.expiryTimer?.cancel();
    this.expiryTimer = null;
  }

  private scheduleExpiry(): void {
    this.expiryTimer = this.clock.after(1000, () => {
      this.reassembler.expire(this.clock.now());
      this.scheduleExpiry();
    });
  }

  private receive(chunk: Uint8Array): void {
    this.counters.rxBytes += chunk.length;
    for (const ev of this.deframer.push(chunk)) {
      if (ev.kind === "error") {
        this.emit("frame-error", ev);
        continue;
      }
      this.emit("packet", "rx", ev.packet);
      let dest: number;
      try {
        dest = decodeMctpPacket(ev.packet).header.dest;
      } catch {
        this.counters.badPackets++;
        continue;
      }
      if (dest !== this.localEid && dest !== MCTP_NULL_EID && dest !== MCTP_BROADCAST_EID) {
        this.counters.notForUs++;
        continue;
      }
      const m = this.reassembler.push(ev.packet, this.clock.now());
      if (m) this.dispatch(m);
    }
  }

  private dispatch(m: ReassembledMessage): void {
    this.counters.rxMessages++;
    const body = m.message.subarray(1);
    if (m.messageType === MctpMessageType.Control) {
      const reply = m.tagOwner ? answerControlRequest(m.message, this.localEid) : null;
      if (reply) this.send(m.src, MctpMessageType.Control, reply.subarray(1), { tag: m.tag, tagOwner: false });
      return;
    }
    if (m.messageType === MctpMessageType.Pldm) {
      this.emit("pldm", { src: m.src, dest: m.dest, tag: m.tag, tagOwner: m.tagOwner, messageType: m.messageType, body });
      return;
    }
    this.counters.unknownType++;
    this.log.debug({ type: m.messageType, src: m.src }, "dropped message of a type we do not speak");
  }
}
