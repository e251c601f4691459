/**
 * Rebuilds MCTP messages from packets (the union of libmctp, Linux and mctp-rs rules):
 * keyed on (src, dest, tag, tag owner); SOM starts (or restarts) a message; each next
 * packet must carry seq + 1 mod 4; a partial message is dropped after 6 s or past
 * 64 KiB. Bad input is counted by reason, never thrown.
 */
import { DecodeError } from "../errors.js";
import { BytePool, view } from "../wire/byte-pool.js";
import { decodeMctpPacketHeader, decodeMctpPacketHeaderInto, MCTP_HEADER_SIZE, type MctpPacketHeader } from "./packet.js";

export interface ReassembledMessage {
  src: number;
  dest: number;
  tag: number;
  tagOwner: boolean;
  messageType: number;
  integrityCheck: boolean;
  /** The whole message, its type byte first. */
  message: Uint8Array;
  packets: number;
}

export type ReassemblyDropReason = "bad-header" | "seq-gap" | "no-som" | "restarted" | "too-large" | "expired" | "empty";

interface Partial {
  /** Whole packets, header included: a view of each body would cost a typed-array allocation per packet. */
  packets: Uint8Array[];
  bytes: number;
  nextSeq: number;
  startedAt: number;
}

const REASONS: readonly ReassemblyDropReason[] = ["bad-header", "seq-gap", "no-som", "restarted", "too-large", "expired", "empty"];

export class MctpReassembler {
  readonly drops: Record<ReassemblyDropReason, number> = Object.fromEntries(REASONS.map((r) => [r, 0])) as Record<ReassemblyDropReason, number>;
  private dropCount = 0;
  /** Read anew for every packet; nothing keeps it past `push`. */
  private readonly header: MctpPacketHeader = decodeMctpPacketHeader(Uint8Array.of(1, 0, 0, 0));
  private readonly partials = new Map<number, Partial>();
  /** Joined messages (a certificate is ~1.5 KB) are carved from a slab rather than allocated one by one. */
  private readonly pool = new BytePool();
  private readonly maxMessageBytes: number;
  private readonly expiryMs: number;

  constructor(opts: { maxMessageBytes?: number; expiryMs?: number } = {}) {
    this.maxMessageBytes = opts.maxMessageBytes ?? 64 * 1024;
    this.expiryMs = opts.expiryMs ?? 6000;
  }

  push(packet: Uint8Array, nowMs: number): ReassembledMessage | null {
    let h;
    try {
      h = decodeMctpPacketHeaderInto(packet, this.header);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.drop("bad-header");
      return null;
    }
    const bodyLength = packet.length - MCTP_HEADER_SIZE;
    const key = (h.src << 16) | (h.dest << 8) | (h.tagOwner ? 8 : 0) | h.tag;
    let partial = this.partials.get(key);
    if (partial && nowMs - partial.startedAt >= this.expiryMs) {
      this.partials.delete(key);
      this.drop("expired");
      partial = undefined;
    }

    if (h.som) {
      if (partial) {
        this.partials.delete(key);
        this.drop("restarted");
      }
      if (bodyLength === 0) {
        this.drop("empty");
        return null;
      }
      // Fast path: a single-packet message needs no copy.
      if (h.eom) return this.finish(h.src, h.dest, h.tag, h.tagOwner, view(packet, MCTP_HEADER_SIZE, bodyLength), 1);
      if (bodyLength > this.maxMessageBytes) {
        this.drop("too-large");
        return null;
      }
      this.partials.set(key, { packets: [packet], bytes: bodyLength, nextSeq: (h.seq + 1) & 3, startedAt: nowMs });
      return null;
    }

    if (!partial) {
      this.drop("no-som");
      return null;
    }
    if (h.seq !== partial.nextSeq) {
      this.partials.delete(key);
      this.drop("seq-gap");
      return null;
    }
    if (partial.bytes + bodyLength > this.maxMessageBytes) {
      this.partials.delete(key);
      this.drop("too-large");
      return null;
    }
    partial.packets.push(packet);
    partial.bytes += bodyLength;
    partial.nextSeq = (partial.nextSeq + 1) & 3;
    if (!h.eom) return null;
    this.partials.delete(key);
    return this.finish(h.src, h.dest, h.tag, h.tagOwner, joinBodies(this.pool, partial.packets, partial.bytes), partial.packets.length);
  }

  /** Drops partial messages older than the expiry; returns how many. */
  expire(nowMs: number): number {
    let n = 0;
    for (const [k, p] of this.partials) {
      if (nowMs - p.startedAt >= this.expiryMs) {
        this.partials.delete(k);
        n++;
      }
    }
    this.drops.expired += n;
    this.dropCount += n;
    return n;
  }

  /** All drops, whatever the reason: one number to watch instead of summing `drops`. */
  get dropped(): number {
    return this.dropCount;
  }

  pendingCount(): number {
    return this.partials.size;
  }

  private drop(reason: ReassemblyDropReason): void {
    this.drops[reason]++;
    this.dropCount++;
  }

  private finish(src: number, dest: number, tag: number, tagOwner: boolean, message: Uint8Array, packets: number): ReassembledMessage {
    const typeByte = message[0]!;
    return { src, dest, tag, tagOwner, messageType: typeByte & 0x7f, integrityCheck: (typeByte & 0x80) !== 0, message, packets };
  }
}

/**
 * The bodies of `packets` back to back. Whole packets are copied last to first, each 4 bytes
 * before its body's place, so every header lands on bytes the packet before then overwrites:
 * one memcpy per packet and no view per packet (views cost an allocation each).
 */
function joinBodies(pool: BytePool, packets: Uint8Array[], bytes: number): Uint8Array {
  const out = pool.take(MCTP_HEADER_SIZE + bytes);
  let end = out.length;
  for (let k = packets.length - 1; k >= 0; k--) {
    const p = packets[k]!;
    end -= p.length - MCTP_HEADER_SIZE;
    out.set(p, end - MCTP_HEADER_SIZE);
  }
  return view(out, MCTP_HEADER_SIZE, bytes);
}
