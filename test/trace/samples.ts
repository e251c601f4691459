/**
 * One small exchange (BMC EID 8, host EID 9) rendered in every trace format the decoder
 * reads, so each format can be checked to yield the very same messages.
 */
import { fragmentMessage } from "../../pldm-codec/mctp/fragmenter.js";
import { encodeSerialFrame } from "../../pldm-codec/serial/frame-encoder.js";
import { concat, pcapngPacket, pcapngPreamble } from "../../src/trace/pcapng-writer.js";
import { fromHex, toHex } from "../support/vectors.js";

export interface SampleMessage {
  hex: string;
  /** From the BMC's side: tx = BMC to host. */
  dir: "tx" | "rx";
  /** Milliseconds after the start of the trace. */
  at: number;
}

const cert = Array.from({ length: 150 }, (_, i) => (0x41 + (i % 26)).toString(16)).join("");
const le32 = (n: number) => toHex(Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24));

/** NewFileAvailable / ReadFileByType (public vectors), GetTID, and a WriteFileByType long enough to fragment. */
export const EXCHANGE: SampleMessage[] = [
  { hex: "853f0a040007000000d204000000000000", dir: "tx", at: 0 },
  { hex: "053f0a00", dir: "rx", at: 12 },
  { hex: "833f0b04000700000000000000d2040000", dir: "rx", at: 40 },
  { hex: "033f0b00020000004142", dir: "tx", at: 41.5 },
  { hex: "800002", dir: "tx", at: 100 },
  { hex: "0000020001", dir: "rx", at: 103 },
  { hex: `843f0c${"0500"}${"07000000"}${"00000000"}${le32(150)}${cert}`, dir: "rx", at: 200 },
  { hex: `043f0c00${le32(150)}`, dir: "tx", at: 230 },
];

export const T0 = Date.UTC(2025, 3, 3, 20, 27, 21);
const spaced = (hex: string) => hex.replace(/(..)/g, "$1 ");
const hhmmss = (ms: number) => {
  const d = new Date(T0 + ms);
  return `${d.toISOString().slice(11, 19)}.${String(d.getUTCMilliseconds() * 1000 + Math.round((ms % 1) * 1000)).padStart(6, "0")}`;
};

export const render = {
  pldmtool: () => EXCHANGE.map((m) => `pldmtool: ${m.dir === "tx" ? "Tx" : "Rx"}: ${spaced(m.hex)}`).join("\n"),
  journald: () =>
    EXCHANGE.map(
      (m, i) =>
        `Apr 03 ${hhmmss(m.at)} bmc pldmd[3179]: ${m.dir === "tx" ? "Tx" : "Rx"}: ${spaced(m.hex)}${i === 2 ? "\nApr 03 20:27:21 bmc pldmd[3179]: Got a file request" : ""}`,
    ).join("\n"),
  legacyPrefix: () => EXCHANGE.map((m) => `${m.dir === "tx" ? "Tx" : "Rx"}: 09 01 ${spaced(m.hex)}`).join("\n"),
  /** pldmtool before late 2021 printed only the exchanges it started: the BMC's requests. */
  oldBlocks: () => [0, 1, 4, 5].map((i) => `${EXCHANGE[i]!.dir === "tx" ? "Request" : "Response"} Message:\n09 01 ${spaced(EXCHANGE[i]!.hex)}`).join("\n"),
  flightRecorder: () =>
    `${EXCHANGE.map((m) => `2025-04-03 UTC ${hhmmss(m.at).replace(/\.0*(\d)/, ".$1")} : ${m.dir === "tx" ? "Tx" : "Rx"} : \n${spaced(m.hex)}`).join("\n")}\n : Rx : \n\n`,
  pldmHex: () => EXCHANGE.map((m) => m.hex).join("\n"),
  mctpHex: () =>
    packets()
      .map((p) => toHex(p.packet))
      .join("\n"),
  serialHex: () =>
    packets()
      .map((p) => toHex(encodeSerialFrame(p.packet)))
      .join("\n"),
  serialBinary: () => concat(packets().map((p) => encodeSerialFrame(p.packet))),
  pcapng: () => concat([pcapngPreamble(), ...packets().map((p) => pcapngPacket(p.packet, T0 + p.at, p.dir))]),
  pcapSll: () => pcapSll(),
};

/** The exchange as MCTP packets (64-byte MTU), requests owning their tag. */
export function packets(): { packet: Uint8Array; dir: "tx" | "rx"; at: number }[] {
  return EXCHANGE.flatMap((m, i) => {
    const pldm = fromHex(m.hex);
    const request = (pldm[0]! & 0x80) !== 0;
    const [src, dest] = m.dir === "tx" ? [8, 9] : [9, 8];
    const message = concat([Uint8Array.of(1), pldm]);
    return fragmentMessage({ src, dest, tag: (i >> 1) & 7, tagOwner: request, message }).map((packet) => ({ packet, dir: m.dir, at: m.at }));
  });
}

/** Classic pcap (little-endian, microseconds) with Linux cooked v1 headers, as tcpdump -i any writes. */
function pcapSll(): Uint8Array {
  const head = new DataView(new ArrayBuffer(24));
  head.setUint32(0, 0xa1b2c3d4, true);
  head.setUint16(4, 2, true);
  head.setUint16(6, 4, true);
  head.setUint32(16, 65535, true);
  head.setUint32(20, 113, true);
  const parts: Uint8Array[] = [new Uint8Array(head.buffer)];
  for (const p of packets()) {
    const rec = new DataView(new ArrayBuffer(16 + 16));
    const us = Math.round((T0 + p.at) * 1000);
    rec.setUint32(0, Math.floor(us / 1e6), true);
    rec.setUint32(4, us % 1e6, true);
    rec.setUint32(8, 16 + p.packet.length, true);
    rec.setUint32(12, 16 + p.packet.length, true);
    rec.setUint16(16, p.dir === "tx" ? 4 : 0); // cooked header: network byte order
    rec.setUint16(18, 290);
    rec.setUint16(30, 0x00fa);
    parts.push(new Uint8Array(rec.buffer), p.packet);
  }
  return concat(parts);
}

export const enc = (s: string) => new TextEncoder().encode(s);
