/**
 * Writes pcapng as Wireshark and tshark read it: one section, one interface of link type
 * LINUX_SLL2 (276), one Enhanced Packet Block per MCTP packet behind a cooked header with
 * protocol 0x00FA, so Wireshark 4.2+ decodes MCTP natively and our Lua dissector runs on 4.0.
 * Little-endian, microsecond timestamps.
 */
import {
  ARPHRD_MCTP,
  BLOCK_HEAD_SIZE,
  BLOCK_MIN_SIZE,
  BLOCK_TAIL_SIZE,
  BlockType,
  ETH_P_MCTP,
  LinkType,
  PacketType,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_ENHANCED_PACKET_SIZE,
  PCAPNG_INTERFACE_SIZE,
  PCAPNG_OPTION_HEAD_SIZE,
  PcapngOption,
  SLL2_SIZE,
} from "./capture-constants.js";
import type { Direction } from "./trace-event.js";
import { concatBytes } from "../../pldm-codec/wire/bytes.js";

const pad4 = (n: number) => (n + 3) & ~3;

function block(type: number, body: Uint8Array): Uint8Array {
  const total = BLOCK_MIN_SIZE + pad4(body.length);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, total, true);
  out.set(body, BLOCK_HEAD_SIZE);
  v.setUint32(total - BLOCK_TAIL_SIZE, total, true);
  return out;
}

/** Section header and interface description: what every file starts with. */
export function pcapngPreamble(appName = "hostbridge"): Uint8Array {
  const shb = new Uint8Array(16);
  const s = new DataView(shb.buffer);
  s.setUint32(0, PCAPNG_BYTE_ORDER_MAGIC, true);
  s.setUint16(4, 1, true);
  s.setUint16(6, 0, true);
  s.setBigInt64(8, -1n, true); // section length unknown
  const name = new TextEncoder().encode(appName);
  // shb_userappl then opt_endofopt (an option header of zeros).
  const optionHead = PCAPNG_OPTION_HEAD_SIZE;
  const opts = new Uint8Array(optionHead + pad4(name.length) + optionHead);
  const o = new DataView(opts.buffer);
  o.setUint16(0, PcapngOption.UserApplication, true);
  o.setUint16(2, name.length, true);
  opts.set(name, optionHead);
  const idb = new Uint8Array(PCAPNG_INTERFACE_SIZE);
  const i = new DataView(idb.buffer);
  i.setUint16(0, LinkType.LinuxSll2, true);
  i.setUint32(4, 0, true); // no snap length limit
  return concatBytes([block(BlockType.SectionHeader, concatBytes([shb, opts])), block(BlockType.Interface, idb)]);
}

/** One Enhanced Packet Block: the cooked header, then the MCTP packet (transport header + body). */
export function pcapngPacket(packet: Uint8Array, timeMs: number, dir: Direction | null): Uint8Array {
  const data = new Uint8Array(SLL2_SIZE + packet.length);
  const d = new DataView(data.buffer);
  d.setUint16(0, ETH_P_MCTP);
  d.setUint16(8, ARPHRD_MCTP);
  data[10] = dir === "tx" ? PacketType.Outgoing : dir === "rx" ? PacketType.Host : PacketType.OtherHost;
  data.set(packet, SLL2_SIZE);
  const fixed = PCAPNG_ENHANCED_PACKET_SIZE;
  const body = new Uint8Array(fixed + pad4(data.length));
  const v = new DataView(body.buffer);
  const micros = BigInt(Math.round(timeMs * 1000));
  v.setUint32(0, 0, true);
  v.setUint32(4, Number(micros >> 32n), true);
  v.setUint32(8, Number(micros & 0xffff_ffffn), true);
  v.setUint32(12, data.length, true);
  v.setUint32(16, data.length, true);
  body.set(data, fixed);
  return block(BlockType.Enhanced, body);
}

export { concatBytes as concat };
