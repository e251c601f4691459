/**
 * The numbers of pcapng files and Linux cooked headers as plain constants: what the writer
 * needs (src/trace/pcapng-writer.ts), so recording a link loads no parser library. The reader's
 * parsers are in capture-records.ts, and a test pins their sizes to these.
 */

/** pcapng block types; the section header's reads the same in either byte order. */
export const BlockType = { SectionHeader: 0x0a0d0d0a, Interface: 1, ObsoletePacket: 2, SimplePacket: 3, Enhanced: 6 } as const;
/** The section header's byte-order magic, as written in the writer's byte order. */
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** A block: type and total length before the body, the total length again after it. */
export const BLOCK_HEAD_SIZE = 8;
export const BLOCK_TAIL_SIZE = 4;
export const BLOCK_MIN_SIZE = BLOCK_HEAD_SIZE + BLOCK_TAIL_SIZE;
/** Interface Description Block body before its options: link type, reserved, snap length. */
export const PCAPNG_INTERFACE_SIZE = 8;
/** Enhanced Packet Block body before the packet: interface, timestamp (2 words), captured and original length. */
export const PCAPNG_ENHANCED_PACKET_SIZE = 20;
/** pcapng option header: code and value length (value padded to 4 bytes). */
export const PCAPNG_OPTION_HEAD_SIZE = 4;
/** pcapng option codes we read or write. */
export const PcapngOption = { EndOfOptions: 0, UserApplication: 4, TimestampResolution: 9 } as const;

export const LinkType = { LinuxSll: 113, LinuxSll2: 276 } as const;
export const SLL_SIZE = 16;
export const SLL2_SIZE = 20;
/** ETH_P_MCTP: the cooked-header protocol of MCTP packets. */
export const ETH_P_MCTP = 0x00fa;
/** ARPHRD_MCTP, for the cooked header we write. */
export const ARPHRD_MCTP = 290;
/** Cooked-header packet types: to us, sent by us, and seen passing (direction unknown). */
export const PacketType = { Host: 0, OtherHost: 3, Outgoing: 4 } as const;
