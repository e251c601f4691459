/**
 * Rebuilds MCTP messages from packets (the union of libmctp, Linux and mctp-rs rules):
 * keyed on (src, dest, tag, tag owner); SOM starts (or restarts) a message; each next
 * packet must carry seq + 1 mod 4; a partial message is dropped after 6 s or past
 * 64 KiB. Bad input is counted by reason, never thrown.
 */
import { DecodeError } from "../errors.js";
import { decodeMctpPacketHeader, MCTP_HEADER_SIZE } from "./packet.js";

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
  chunks: Uint8Array[];
  bytes: number;
  nextSeq: number;
  startedAt: number;
}

const REASONS: readonly ReassemblyDropReason[] = ["bad-header", "seq-gap", "no-som", "restarted", "too-large", "expired", "empty"];

export class MctpReassembler {
  readonly drops: Record<ReassemblyDropReason, number> = Object.fromEntries(REASONS.map((r) => [r, 0])) as Record<ReassemblyDropReason, number>;
  private readonly partials = new Map<number, Partial>();
  private readonly maxMessageBytes: number;
  private readonly expiryMs: number;

  constructor(opts: { maxMessageBytes?: number; expiryMs?: number } = {}) {
    this.maxMessageBytes = opts.maxMessageBytes ?? 64 * 1024;
    this.expiryMs = opts.expiryMs ?? 6000;
  }

  push(packet: Uint8Array, nowMs: number): ReassembledMessage | null {
    let h;
    try {
      h = decodeMctpPacketHeader(packet);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.drops["bad-header"]++;
      return null;
    }
    const body = packet.subarray(MCTP_HEADER_SIZE);
    const key = (h.src << 16) | (h.dest << 8) | (h.tagOwner ? 8 : 0) | h.tag;
    let partial = this.partials.get(key);
    if (partial && nowMs - partial.startedAt >= this.expiryMs) {
      this.partials.delete(key);
      this.drops.expired++;
      partial = undefined;
    }

    if (h.som) {
      if (partial) {
        this.partials.delete(key);
        this.drops.restarted++;
      }
      if (body.length === 0) {
        this.drops.empty++;
        return null;
      }
      // Fast path: a single-packet message needs no copy.
      if (h.eom) return this.finish(h.src, h.dest, h.tag, h.tagOwner, body, 1);
      if (body.length > this.maxMessageBytes) {
        this.drops["too-large"]++;
        return null;
      }
      this.partials.set(key, { chunks: [body], bytes: body.length, nextSeq: (h.seq + 1) & 3, startedAt: nowMs });
      return null;
    }

    if (!partial) {
      this.drops["no-som"]++;
      return null;
    }
    if (h.seq !== partial.nextSeq) {
      this.partials.delete(key);
      this.drops["seq-gap"]++;
      return null;
    }
    if (partial.bytes + body.length > this.maxMessageBytes) {
      this.partials.delete(key);
      this.drops["too-large"]++;
      return null;
    }
    partial.chunks.push(body);
    partial.bytes += body.length;
    partial.nextSeq = (partial.nextSeq + 1) & 3;
    if (!h.eom) return null;
    this.partials.delete(key);
    const message = new Uint8Array(partial.bytes);
    let o = 0;
    for (const c of partial.chunks) {
      message.set(c, o);
      o += c.length;
    }
    return this.finish(h.src, h.dest, h.tag, h.tagOwner, message, partial.chunks.length);
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
    return n;
  }

  pendingCount(): number {
    return this.partials.size;
  }

  private finish(src: number, dest: number, tag: number, tagOwner: boolean, message: Uint8Array, packets: number): ReassembledMessage {
    const typeByte = message[0]!;
    return { src, dest, tag, tagOwner, messageType: typeByte & 0x7f, integrityCheck: (typeByte & 0x80) !== 0, message, packets };
  }
}
