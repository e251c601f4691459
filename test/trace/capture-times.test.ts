/** pcapng timestamps at each resolution an interface can declare (if_tsresol), as the decoder prints and measures them. */
import { describe, expect, it } from "vitest";
import { fragmentMessage } from "../../pldm-codec/mctp/fragmenter.js";
import { decodeInputs } from "../../src/trace/trace-decoder.js";
import { concat } from "../../src/trace/pcapng-writer.js";

const le32 = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
};
const block = (type: number, body: Uint8Array) => {
  const padded = new Uint8Array((body.length + 3) & ~3);
  padded.set(body);
  return concat([le32(type), le32(12 + padded.length), padded, le32(12 + padded.length)]);
};

/** GetTID and its answer 12.345678 ms apart, from 2025-04-03T20:27:21.123456789Z, on one SLL2 interface of resolution `tsresol`. */
function capture(tsresol: number): Uint8Array {
  const shb = block(0x0a0d0d0a, concat([le32(0x1a2b3c4d), Uint8Array.of(1, 0, 0, 0), new Uint8Array(8).fill(0xff)]));
  const idb = block(1, concat([Uint8Array.of(0x14, 0x01, 0, 0), le32(0), Uint8Array.of(9, 0, 1, 0, tsresol, 0, 0, 0), le32(0)]));
  const messages = [Uint8Array.of(1, 0x80, 0x00, 0x02), Uint8Array.of(1, 0x00, 0x00, 0x02, 0x00, 0x01)];
  const packets = messages.map((message, i) => fragmentMessage({ src: i ? 9 : 8, dest: i ? 8 : 9, tag: 1, tagOwner: i === 0, message })[0]!);
  const units = (ns: bigint) => (tsresol & 0x80 ? (ns << BigInt(tsresol & 0x7f)) / 1_000_000_000n : ns / 10n ** BigInt(9 - tsresol));
  const epbs = packets.map((p, i) => {
    const sll2 = new Uint8Array(20);
    sll2[1] = 0xfa;
    sll2[10] = i ? 0 : 4;
    const data = concat([sll2, p]);
    const ts = units(1_743_712_041_123_456_789n + BigInt(i) * 12_345_678n);
    return block(6, concat([le32(0), le32(Number(ts >> 32n)), le32(Number(ts & 0xffff_ffffn)), le32(data.length), le32(data.length), data]));
  });
  return concat([shb, idb, ...epbs]);
}

describe("pcapng time resolutions", () => {
  it.each([
    [9, "2025-04-03T20:27:21.123456789Z", "2025-04-03T20:27:21.135802467Z", 12.346],
    [6, "2025-04-03T20:27:21.123456Z", "2025-04-03T20:27:21.135802Z", 12.346],
    [3, "2025-04-03T20:27:21.123Z", "2025-04-03T20:27:21.135Z", 12],
    [0x80 | 20, "2025-04-03T20:27:21.123456001Z", "2025-04-03T20:27:21.135802268Z", 12.346],
  ])("if_tsresol %i prints %s and measures the answer's latency", (tsresol, first, second, latency) => {
    const { records } = decodeInputs([capture(tsresol)]);
    expect(records.map((r) => r.time)).toEqual([first, second]);
    expect(records.map((r) => r.error)).toEqual([null, null]);
    expect(records[1]!.exchange).toMatchObject({ role: "response", peer: 0, latencyMs: latency });
  });
});
