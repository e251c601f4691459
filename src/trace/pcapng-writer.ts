/**
 * Writes pcapng as Wireshark and tshark read it: one section, one interface of link type
 * LINUX_SLL2 (276), one Enhanced Packet Block per MCTP packet behind a cooked header with
 * protocol 0x00FA, so Wireshark 4.2+ decodes MCTP natively and our Lua dissector runs on 4.0.
 * Little-endian, microsecond timestamps.
 */
import { ARPHRD_MCTP, ETH_P_MCTP, LinkType, PacketType, SLL2_SIZE } from "./capture-records.js";
import type { Direction } from "./trace-event.js";
import { concatBytes } from "../../pldm-codec/wire/bytes.js";

const pad4 = (n: number) => (n + 3) & ~3;

function block(type: number, body: Uint8Array): Uint8Array {
  const total = 12 + pad4(body.length);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, total, true);
  out.set(body, 8);
  v.setUint32(total - 4, total, true);
  return out;
}

/** Section header and interface description: what every file starts with. */
export function pcapngPreamble(appName = "hostbridge"): Uint8Array {
  const shb = new Uint8Array(16);
  const s = new DataView(shb.buffer);
  s.setUint32(0, 0x1a2b3c4d, true);
  s.setUint16(4, 1, true);
  s.setUint16(6, 0, true);
  s.setBigInt64(8, -1n, true); // section length unknown
  const name = new TextEncoder().encode(appName);
  // shb_userappl (4) then opt_endofopt.
  const opts = new Uint8Array(4 + pad4(name.length) + 4);
  const o = new DataView(opts.buffer);
  o.setUint16(0, 4, true);
  o.setUint16(2, name.length, true);
  opts.set(name, 4);
  const idb = new Uint8Array(8);
  const i = new DataView(idb.buffer);
  i.setUint16(0, LinkType.LinuxSll2, true);
  i.setUint32(4, 0, true); // no snap length limit
  return concatBytes([block(0x0a0d0d0a, concatBytes([shb, opts])), block(1, idb)]);
}

/** One Enhanced Packet Block: the cooked header, then the MCTP packet (transport header + body). */
export function pcapngPacket(packet: Uint8Array, timeMs: number, dir: Direction | null): Uint8Array {
  const data = new Uint8Array(SLL2_SIZE + packet.length);
  const d = new DataView(data.buffer);
  d.setUint16(0, ETH_P_MCTP);
  d.setUint16(8, ARPHRD_MCTP);
  data[10] = dir === "tx" ? PacketType.Outgoing : dir === "rx" ? PacketType.Host : PacketType.OtherHost;
  data.set(packet, SLL2_SIZE);
  const body = new Uint8Array(20 + pad4(data.length));
  const v = new DataView(body.buffer);
  const micros = BigInt(Math.round(timeMs * 1000));
  v.setUint32(0, 0, true);
  v.setUint32(4, Number(micros >> 32n), true);
  v.setUint32(8, Number(micros & 0xffff_ffffn), true);
  v.setUint32(12, data.length, true);
  v.setUint32(16, data.length, true);
  body.set(data, 20);
  return block(6, body);
}

export { concatBytes as concat };
