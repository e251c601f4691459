/**
 * pcap and pcapng files to MCTP packet events. Only Linux cooked captures (SLL, SLL2)
 * with protocol 0x00FA carry MCTP here; other packets are counted and skipped. A damaged
 * file yields an error event where it breaks and reading stops there (lengths past that
 * point cannot be trusted).
 */
import {
  BLOCK_HEAD_SIZE,
  BLOCK_MIN_SIZE,
  BLOCK_TAIL_SIZE,
  BlockType,
  ETH_P_MCTP,
  PCAPNG_BYTE_ORDER_MAGIC,
  PcapngOption,
  PacketType,
  parseCooked,
  pcapFileHeader,
  pcapngEnhancedPacket,
  pcapngInterface,
  pcapngOption,
  pcapRecordHeader,
  u32,
  type Endian,
} from "./capture-records.js";
import { view } from "../../pldm-codec/wire/byte-pool.js";
import { isoFromEpoch } from "./time.js";
import type { Direction, EventSink, TraceEvent } from "./trace-event.js";

export interface CaptureStats {
  packets: number;
  /** Packets that are not MCTP (another protocol or link type). */
  skipped: number;
}

export function isCapture(b: Uint8Array): boolean {
  return pcapMagic(b) !== null || isSectionHeader(b, 0);
}

function isSectionHeader(b: Uint8Array, at: number): boolean {
  return b.length - at >= 4 && u32(b, at, "big") === BlockType.SectionHeader;
}

function pcapMagic(b: Uint8Array): { endian: Endian; digits: number } | null {
  if (b.length < 4) return null;
  const be = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  const le = ((b[3]! << 24) | (b[2]! << 16) | (b[1]! << 8) | b[0]!) >>> 0;
  for (const [magic, digits] of [
    [0xa1b2c3d4, 6],
    [0xa1b23c4d, 9],
  ] as const) {
    if (le === magic) return { endian: "little", digits };
    if (be === magic) return { endian: "big", digits };
  }
  return null;
}

const direction = (packetType: number): Direction | null => (packetType === PacketType.Outgoing ? "tx" : packetType === PacketType.Host ? "rx" : null);

const COOKED = { protocol: 0, packetType: 0, size: 0 };

/**
 * The MCTP packet in the captured frame b[start, start + length) as an event, or null (counted as
 * skipped) for any other frame. One view per packet and one object: this runs for every packet.
 */
function linkEvent(
  linkType: number,
  b: Uint8Array,
  start: number,
  length: number,
  time: string | null,
  ms: number | null,
  stats: CaptureStats,
): TraceEvent | null {
  const cooked = parseCooked(linkType, b, start, length, COOKED);
  if (!cooked || cooked.protocol !== ETH_P_MCTP) {
    stats.skipped++;
    return null;
  }
  stats.packets++;
  return { kind: "mctp-packet", bytes: view(b, start + cooked.size, length - cooked.size), dir: direction(cooked.packetType), time, ms, timeDigits: undefined };
}

/**
 * Reads a capture as it arrives: whole records are decoded from each chunk, a record split
 * across chunks waits for the rest (copied once), so memory is one chunk plus one record.
 */
export class CaptureReader {
  readonly stats: CaptureStats = { packets: 0, skipped: 0 };
  private pending: Uint8Array = new Uint8Array(0);
  /** Offset in the file of `pending[0]`, for error messages. */
  private base = 0;
  private state:
    | { kind: "start" }
    | { kind: "pcap"; endian: Endian; digits: number; linkType: number }
    | { kind: "pcapng"; endian: Endian; interfaces: Interface[] }
    | { kind: "broken" } = {
    kind: "start",
  };

  push(chunk: Uint8Array, out: EventSink): void {
    if (this.state.kind === "broken") return;
    let b = chunk;
    if (this.pending.length) {
      b = new Uint8Array(this.pending.length + chunk.length);
      b.set(this.pending);
      b.set(chunk, this.pending.length);
    }
    const used = this.read(b, out, false);
    this.base += used;
    this.pending = used === b.length ? new Uint8Array(0) : b.slice(used);
  }

  /** End of input: bytes left over are a record cut short. */
  finish(out: EventSink): void {
    if (this.state.kind !== "broken" && this.pending.length) this.read(this.pending, out, true);
    this.pending = new Uint8Array(0);
  }

  private broken(out: EventSink, b: Uint8Array, at: number, reason: string): number {
    out.push(brokenEvent(b, at, this.base, reason));
    this.state = { kind: "broken" };
    return b.length;
  }

  /** Decodes whole records from `b`; returns how many bytes were used. */
  private read(b: Uint8Array, out: EventSink, end: boolean): number {
    if (this.state.kind === "start") {
      if (b.length < 4 + 24 && !end) return 0;
      const magic = pcapMagic(b);
      if (magic) {
        const fileHeader = pcapFileHeader[magic.endian];
        if (b.length < 4 + fileHeader.size) return this.broken(out, b, 0, "truncated pcap header");
        this.state = { kind: "pcap", endian: magic.endian, digits: magic.digits, linkType: fileHeader.parse(b.subarray(4)).linkType };
        return 4 + fileHeader.size + this.read(b.subarray(4 + fileHeader.size), out, end);
      }
      this.state = { kind: "pcapng", endian: "little", interfaces: [] };
    }
    return this.state.kind === "pcap" ? this.readPcap(b, out, end) : this.readPcapng(b, out, end);
  }

  private readPcap(b: Uint8Array, out: EventSink, end: boolean): number {
    const st = this.state as { endian: Endian; digits: number; linkType: number };
    const rec = pcapRecordHeader[st.endian];
    let at = 0;
    while (at < b.length) {
      if (b.length - at < rec.size) return end ? this.broken(out, b, at, "truncated record header") : at;
      const h = { tsSec: u32(b, at, st.endian), tsFrac: u32(b, at + 4, st.endian), inclLen: u32(b, at + 8, st.endian) };
      const start = at + rec.size;
      if (h.inclLen > MAX_RECORD) return this.broken(out, b, at, `record of ${h.inclLen} bytes is larger than any MCTP packet`);
      if (start + h.inclLen > b.length) return end ? this.broken(out, b, at, `record of ${h.inclLen} bytes runs past the end`) : at;
      const ms = h.tsSec * 1000 + h.tsFrac / (st.digits === 9 ? 1e6 : 1e3);
      const ev = linkEvent(st.linkType, b, start, h.inclLen, isoFromEpoch(h.tsSec, h.tsFrac, st.digits), ms, this.stats);
      if (ev) out.push(ev);
      at = start + h.inclLen;
    }
    return at;
  }

  private readPcapng(b: Uint8Array, out: EventSink, end: boolean): number {
    const st = this.state as { kind: "pcapng"; endian: Endian; interfaces: Interface[] };
    let at = 0;
    while (at < b.length) {
      if (b.length - at < BLOCK_MIN_SIZE) return end ? this.broken(out, b, at, "truncated block") : at;
      if (isSectionHeader(b, at)) {
        // Section header: its byte-order magic says how to read everything up to the next one.
        st.endian = u32(b, at + BLOCK_HEAD_SIZE, "little") === PCAPNG_BYTE_ORDER_MAGIC ? "little" : "big";
        st.interfaces = [];
      }
      const type = u32(b, at, st.endian);
      const totalLength = u32(b, at + 4, st.endian);
      if (totalLength < BLOCK_MIN_SIZE || totalLength % 4 !== 0 || totalLength > MAX_RECORD) {
        return this.broken(out, b, at, `block of type ${type} with bad length ${totalLength}`);
      }
      if (at + totalLength > b.length) return end ? this.broken(out, b, at, `block of type ${type} with bad length ${totalLength}`) : at;
      this.block(b, at, type, at + BLOCK_HEAD_SIZE, at + totalLength - BLOCK_TAIL_SIZE, st, out);
      at += totalLength;
    }
    return at;
  }

  /** One block: its body is b[start, end) (offsets, not a view: most blocks are packets, read in place). */
  private block(b: Uint8Array, at: number, type: number, start: number, end: number, st: { endian: Endian; interfaces: Interface[] }, out: EventSink): void {
    const e = st.endian;
    const epbSize = pcapngEnhancedPacket[e].size;
    const length = end - start;
    const least = type === BlockType.Interface ? pcapngInterface[e].size : type === BlockType.Enhanced ? epbSize : type === BlockType.SimplePacket ? 4 : 0;
    if (length < least) out.push(brokenEvent(b, at, this.base, `block of type ${type} too short for its fields`));
    else if (type === BlockType.Interface) st.interfaces.push(readInterface(b.subarray(start, end), e));
    else if (type === BlockType.Enhanced) {
      const interfaceId = u32(b, start, e);
      const capturedLen = u32(b, start + 12, e);
      const ifc = st.interfaces[interfaceId];
      if (!ifc) out.push(brokenEvent(b, at, this.base, `packet on undeclared interface ${interfaceId}`));
      else if (capturedLen > length - epbSize) out.push(brokenEvent(b, at, this.base, "packet longer than its block"));
      else {
        const high = u32(b, start + 4, e);
        const low = u32(b, start + 8, e);
        // Times exact as milliseconds get their text only for a packet that completes a
        // message; finer ones are written now.
        const exact = ifc.exactMs;
        const t = exact ? null : timestamp(ifc, high, low);
        const ms = t ? t.ms : ((high * 2 ** 32 + low) / ifc.unitsPerSecond) * 1000;
        const ev = linkEvent(ifc.linkType, b, start + epbSize, capturedLen, t ? t.iso : null, ms, this.stats);
        if (ev) {
          if (exact) ev.timeDigits = ifc.digits;
          out.push(ev);
        }
      }
    } else if (type === BlockType.SimplePacket) {
      const ifc = st.interfaces[0];
      // A simple packet has no timestamp; its captured length is what the block holds.
      if (ifc) {
        const ev = linkEvent(ifc.linkType, b, start + 4, length - 4, null, null, this.stats);
        if (ev) out.push(ev);
      }
    }
  }
}

/** No MCTP packet (or pcapng block holding one) comes near this; a larger length is damage, not a record to wait for. */
const MAX_RECORD = 1 << 20;

const brokenEvent = (b: Uint8Array, at: number, base: number, reason: string): TraceEvent => ({
  kind: "error",
  raw: b.slice(at, Math.min(b.length, at + 32)),
  reason: `capture ${reason} at byte ${base + at}`,
  dir: null,
  time: null,
});

interface Interface {
  linkType: number;
  /** Timestamp units per second, and the decimal digits to print them with. */
  unitsPerSecond: number;
  digits: number;
  /**
   * A decimal resolution to the microsecond: exact as milliseconds, so a packet's time text
   * waits until a record needs it. Worked out once here (`10 **` per packet was most of reading one).
   */
  exactMs: boolean;
}

/** if_tsresol (option 9): 10^-n seconds, or 2^-n when the top bit is set; microseconds by default. */
function readInterface(body: Uint8Array, endian: Endian): Interface {
  const fixed = pcapngInterface[endian];
  const { linkType } = fixed.parse(body);
  const ifc: Interface = { linkType, unitsPerSecond: 1_000_000, digits: 6, exactMs: true };
  for (let o = fixed.size; o + 4 <= body.length;) {
    const { code, length } = pcapngOption[endian].parse(body.subarray(o, o + 4));
    if (code === PcapngOption.EndOfOptions) break;
    if (code === PcapngOption.TimestampResolution && length === 1) {
      const v = body[o + 4]!;
      if (v & 0x80) {
        ifc.unitsPerSecond = 2 ** (v & 0x7f);
        ifc.digits = 9;
      } else {
        ifc.unitsPerSecond = 10 ** v;
        ifc.digits = v;
      }
    }
    o += 4 + Math.ceil(length / 4) * 4;
  }
  ifc.exactMs = ifc.unitsPerSecond <= 1e6 && ifc.unitsPerSecond === 10 ** ifc.digits;
  return ifc;
}

function timestamp(ifc: Interface, high: number, low: number): { iso: string; ms: number } {
  const units = ifc.unitsPerSecond;
  // Microseconds (the common case) fit a double exactly for 285 years; finer units go through BigInt.
  if (units <= 1e6) {
    const ts = high * 2 ** 32 + low;
    const seconds = Math.floor(ts / units);
    const frac = ts - seconds * units;
    const scaled = units === 10 ** ifc.digits ? frac : Math.floor((frac * 1e9) / units);
    return { iso: isoFromEpoch(seconds, scaled, ifc.digits), ms: (ts / units) * 1000 };
  }
  const ts = (BigInt(high) << 32n) | BigInt(low);
  const u = BigInt(Math.round(units));
  const seconds = ts / u;
  let frac = ts % u;
  // Binary resolutions are printed in nanoseconds.
  if (units !== 10 ** ifc.digits) frac = (frac * 1_000_000_000n) / u;
  return { iso: isoFromEpoch(Number(seconds), Number(frac), ifc.digits), ms: Number(seconds) * 1000 + Number(frac) / 10 ** (ifc.digits - 3) };
}
