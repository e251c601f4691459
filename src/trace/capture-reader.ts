/**
 * pcap and pcapng files to MCTP packet events. Only Linux cooked captures (SLL, SLL2)
 * with protocol 0x00FA carry MCTP here; other packets are counted and skipped. A damaged
 * file yields an error event where it breaks and reading stops there (lengths past that
 * point cannot be trusted).
 */
import {
  ETH_P_MCTP,
  PacketType,
  parseCooked,
  pcapFileHeader,
  pcapngBlockHeader,
  pcapngEnhancedPacket,
  pcapngInterface,
  pcapngOption,
  pcapRecordHeader,
  type Endian,
} from "./capture-records.js";
import { isoFromEpoch } from "./time.js";
import type { Direction, TraceEvent } from "./trace-event.js";

export interface CaptureStats {
  packets: number;
  /** Packets that are not MCTP (another protocol or link type). */
  skipped: number;
}

const PCAPNG_SHB = 0x0a0d0d0a;
const BlockType = { Interface: 1, ObsoletePacket: 2, SimplePacket: 3, Enhanced: 6 } as const;

export function isCapture(b: Uint8Array): boolean {
  return pcapMagic(b) !== null || (b.length >= 4 && b[0] === 0x0a && b[1] === 0x0d && b[2] === 0x0d && b[3] === 0x0a);
}

function pcapMagic(b: Uint8Array): { endian: Endian; digits: number } | null {
  if (b.length < 4) return null;
  const be = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  const le = ((b[3]! << 24) | (b[2]! << 16) | (b[1]! << 8) | b[0]!) >>> 0;
  for (const [magic, digits] of [[0xa1b2c3d4, 6], [0xa1b23c4d, 9]] as const) {
    if (le === magic) return { endian: "little", digits };
    if (be === magic) return { endian: "big", digits };
  }
  return null;
}

const direction = (packetType: number): Direction | null =>
  packetType === PacketType.Outgoing ? "tx" : packetType === PacketType.Host ? "rx" : null;

function linkEvent(linkType: number, data: Uint8Array, time: string | null, stats: CaptureStats): TraceEvent | null {
  const cooked = parseCooked(linkType, data);
  if (!cooked || cooked.protocol !== ETH_P_MCTP) {
    stats.skipped++;
    return null;
  }
  stats.packets++;
  return { kind: "mctp-packet", bytes: data.subarray(cooked.size), dir: direction(cooked.packetType), time };
}

const broken = (b: Uint8Array, at: number, reason: string): TraceEvent => ({
  kind: "error",
  raw: b.subarray(at, Math.min(b.length, at + 32)),
  reason: `capture ${reason} at byte ${at}`,
  dir: null,
  time: null,
});

export function* readCapture(b: Uint8Array, stats: CaptureStats = { packets: 0, skipped: 0 }): Generator<TraceEvent> {
  const magic = pcapMagic(b);
  if (magic) yield* readPcap(b, magic.endian, magic.digits, stats);
  else yield* readPcapng(b, stats);
}

function* readPcap(b: Uint8Array, endian: Endian, digits: number, stats: CaptureStats): Generator<TraceEvent> {
  const fileHeader = pcapFileHeader[endian];
  if (b.length < 4 + fileHeader.size) return yield broken(b, 0, "truncated pcap header");
  const { linkType } = fileHeader.parse(b.subarray(4));
  const rec = pcapRecordHeader[endian];
  let at = 4 + fileHeader.size;
  while (at < b.length) {
    if (b.length - at < rec.size) return yield broken(b, at, "truncated record header");
    const h = rec.parse(b.subarray(at, at + rec.size));
    const start = at + rec.size;
    if (start + h.inclLen > b.length) return yield broken(b, at, `record of ${h.inclLen} bytes runs past the end`);
    const ev = linkEvent(linkType, b.subarray(start, start + h.inclLen), isoFromEpoch(h.tsSec, h.tsFrac, digits), stats);
    if (ev) yield ev;
    at = start + h.inclLen;
  }
}

interface Interface {
  linkType: number;
  /** Timestamp units per second, and the decimal digits to print them with. */
  unitsPerSecond: bigint;
  digits: number;
}

function* readPcapng(b: Uint8Array, stats: CaptureStats): Generator<TraceEvent> {
  let endian: Endian = "little";
  let interfaces: Interface[] = [];
  let at = 0;
  while (at < b.length) {
    if (b.length - at < 12) return yield broken(b, at, "truncated block");
    if (b[at] === 0x0a && b[at + 1] === 0x0d && b[at + 2] === 0x0d && b[at + 3] === 0x0a) {
      // Section header: its byte-order magic says how to read everything up to the next one.
      endian = b[at + 8] === 0x4d && b[at + 9] === 0x3c ? "little" : "big";
      interfaces = [];
    }
    const { type, totalLength } = pcapngBlockHeader[endian].parse(b.subarray(at, at + 8));
    if (totalLength < 12 || totalLength % 4 !== 0 || at + totalLength > b.length) {
      return yield broken(b, at, `block of type ${type} with bad length ${totalLength}`);
    }
    const body = b.subarray(at + 8, at + totalLength - 4);
    if (type === PCAPNG_SHB) {
      /* nothing more to read from a section header */
    } else if (type === BlockType.Interface) {
      interfaces.push(readInterface(body, endian));
    } else if (type === BlockType.Enhanced) {
      const p = pcapngEnhancedPacket[endian].parse(body);
      const ifc = interfaces[p.interfaceId];
      if (!ifc) yield broken(b, at, `packet on undeclared interface ${p.interfaceId}`);
      else if (p.capturedLen > body.length - pcapngEnhancedPacket[endian].size) yield broken(b, at, "packet longer than its block");
      else {
        const data = body.subarray(pcapngEnhancedPacket[endian].size, pcapngEnhancedPacket[endian].size + p.capturedLen);
        const ev = linkEvent(ifc.linkType, data, timestamp(ifc, p.tsHigh, p.tsLow), stats);
        if (ev) yield ev;
      }
    } else if (type === BlockType.SimplePacket) {
      const ifc = interfaces[0];
      // A simple packet has no timestamp; its captured length is what the block holds.
      if (ifc) {
        const ev = linkEvent(ifc.linkType, body.subarray(4), null, stats);
        if (ev) yield ev;
      }
    }
    at += totalLength;
  }
}

/** if_tsresol (option 9): 10^-n seconds, or 2^-n when the top bit is set; microseconds by default. */
function readInterface(body: Uint8Array, endian: Endian): Interface {
  const fixed = pcapngInterface[endian];
  const { linkType } = fixed.parse(body);
  const ifc: Interface = { linkType, unitsPerSecond: 1_000_000n, digits: 6 };
  for (let o = fixed.size; o + 4 <= body.length; ) {
    const { code, length } = pcapngOption[endian].parse(body.subarray(o, o + 4));
    if (code === 0) break;
    if (code === 9 && length === 1) {
      const v = body[o + 4]!;
      if (v & 0x80) {
        ifc.unitsPerSecond = 1n << BigInt(v & 0x7f);
        ifc.digits = 9;
      } else {
        ifc.unitsPerSecond = 10n ** BigInt(v);
        ifc.digits = v;
      }
    }
    o += 4 + Math.ceil(length / 4) * 4;
  }
  return ifc;
}

function timestamp(ifc: Interface, high: number, low: number): string {
  const ts = (BigInt(high) << 32n) | BigInt(low);
  const seconds = ts / ifc.unitsPerSecond;
  let frac = ts % ifc.unitsPerSecond;
  // Binary resolutions are printed in nanoseconds.
  if (ifc.unitsPerSecond !== 10n ** BigInt(ifc.digits)) frac = (frac * 1_000_000_000n) / ifc.unitsPerSecond;
  return isoFromEpoch(Number(seconds), Number(frac), ifc.digits);
}
