/**
 * The fixed records of pcap and pcapng files and of Linux cooked headers, declared with
 * binary-parser (decode-only is all a capture reader needs; see docs/decisions.md).
 * Each parser reads one header from the start of the bytes it is given. Only the reader
 * imports this; the writer takes plain numbers from capture-constants.ts.
 */
import { Parser } from "binary-parser";
import { LinkType, SLL2_SIZE, SLL_SIZE } from "./capture-constants.js";

export type Endian = "little" | "big";

export interface PcapFileHeader {
  versionMajor: number;
  versionMinor: number;
  snapLen: number;
  linkType: number;
}
export interface PcapRecordHeader {
  tsSec: number;
  tsFrac: number;
  inclLen: number;
  origLen: number;
}
export interface BlockHeader {
  type: number;
  totalLength: number;
}
export interface InterfaceDescription {
  linkType: number;
  snapLen: number;
}
export interface EnhancedPacket {
  interfaceId: number;
  tsHigh: number;
  tsLow: number;
  capturedLen: number;
  originalLen: number;
}
export interface CookedHeader {
  protocol: number;
  packetType: number;
}

function byEndian<T>(build: (e: Endian) => Parser): Record<Endian, { parse(b: Uint8Array): T; size: number }> {
  const make = (e: Endian) => {
    const p = build(e);
    return { parse: (b: Uint8Array) => p.parse(b) as T, size: p.sizeOf() };
  };
  return { little: make("little"), big: make("big") };
}

/** pcap global header after the 4-byte magic. */
export const pcapFileHeader = byEndian<PcapFileHeader>((e) =>
  new Parser().endianness(e).uint16("versionMajor").uint16("versionMinor").int32("thisZone").uint32("sigFigs").uint32("snapLen").uint32("linkType"),
);

export const pcapRecordHeader = byEndian<PcapRecordHeader>((e) =>
  new Parser().endianness(e).uint32("tsSec").uint32("tsFrac").uint32("inclLen").uint32("origLen"),
);

export const pcapngBlockHeader = byEndian<BlockHeader>((e) => new Parser().endianness(e).uint32("type").uint32("totalLength"));

/** Interface Description Block body (after the block header); options follow. */
export const pcapngInterface = byEndian<InterfaceDescription>((e) => new Parser().endianness(e).uint16("linkType").uint16("reserved").uint32("snapLen"));

/** Enhanced Packet Block body (after the block header); the packet data follows. */
export const pcapngEnhancedPacket = byEndian<EnhancedPacket>((e) =>
  new Parser().endianness(e).uint32("interfaceId").uint32("tsHigh").uint32("tsLow").uint32("capturedLen").uint32("originalLen"),
);

/** pcapng option header: code and value length (value padded to 4 bytes). */
export const pcapngOption = byEndian<{ code: number; length: number }>((e) => new Parser().endianness(e).uint16("code").uint16("length"));

// The constants live apart so that the writer loads no binary-parser; the reader takes them from here.
export {
  BLOCK_HEAD_SIZE,
  BLOCK_MIN_SIZE,
  BLOCK_TAIL_SIZE,
  BlockType,
  ETH_P_MCTP,
  PacketType,
  PCAPNG_BYTE_ORDER_MAGIC,
  PcapngOption,
} from "./capture-constants.js";

/**
 * The records read once per packet are read byte by byte: at 700,000 packets a second a
 * binary-parser call (a DataView and an object each) was a fifth of the decode time.
 */
export function u32(b: Uint8Array, at: number, endian: Endian): number {
  return endian === "little"
    ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0
    : ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/**
 * Linux cooked headers, network byte order: SLL (LINKTYPE_LINUX_SLL, 113, 16 bytes: packet
 * type, ARPHRD, address length, 8 address bytes, protocol) and SLL2 (276, 20 bytes: protocol,
 * reserved, interface index, ARPHRD, packet type, address length, 8 address bytes).
 * Read into `into` when given: a capture reader reads one for every packet.
 */
export function parseCooked(
  linkType: number,
  b: Uint8Array,
  at = 0,
  length = b.length - at,
  into: CookedHeader & { size: number } = { protocol: 0, packetType: 0, size: 0 },
): (CookedHeader & { size: number }) | null {
  const sll = linkType === LinkType.LinuxSll && length >= SLL_SIZE;
  if (!sll && !(linkType === LinkType.LinuxSll2 && length >= SLL2_SIZE)) return null;
  into.protocol = sll ? (b[at + 14]! << 8) | b[at + 15]! : (b[at]! << 8) | b[at + 1]!;
  into.packetType = sll ? (b[at]! << 8) | b[at + 1]! : b[at + 10]!;
  into.size = sll ? SLL_SIZE : SLL2_SIZE;
  return into;
  return null;
}
