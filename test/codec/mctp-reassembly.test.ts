import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fragmentMessage } from "../../pldm-codec/mctp/fragmenter.js";
import { decodeMctpPacket, encodeMctpPacket } from "../../pldm-codec/mctp/packet.js";
import { MctpReassembler } from "../../pldm-codec/mctp/reassembler.js";
import { toHex } from "../support/vectors.js";

const msg = (n: number, type = 1) => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? type : i & 0xff));
const route = { src: 9, dest: 8, tag: 3, tagOwner: true };

describe("MCTP fragmentation and reassembly", () => {
  it("splits at 64 body bytes with SOM, EOM and seq mod 4; the type byte only once", () => {
    const packets = fragmentMessage({ ...route, message: msg(300) });
    expect(packets.map((p) => p.length - 4)).toEqual([64, 64, 64, 64, 44]);
    const hs = packets.map((p) => decodeMctpPacket(p).header);
    expect(hs.map((h) => [h.som, h.eom, h.seq])).toEqual([
      [true, false, 0],
      [false, false, 1],
      [false, false, 2],
      [false, false, 3],
      [false, true, 0],
    ]);
    expect(toHex(packets[0]!.subarray(0, 5))).toBe("0108098b01");
  });

  it("reassembles fragments in order, and returns a single packet without copying", () => {
    const r = new MctpReassembler();
    const packets = fragmentMessage({ ...route, message: msg(200) });
    const outs = packets.map((p) => r.push(p, 0));
    expect(outs.slice(0, -1)).toEqual([null, null, null]);
    expect(toHex(outs.at(-1)!.message)).toBe(toHex(msg(200)));
    expect(outs.at(-1)).toMatchObject({ src: 9, dest: 8, tag: 3, tagOwner: true, messageType: 1, packets: 4 });
    const single = fragmentMessage({ ...route, message: msg(10) })[0]!;
    expect(r.push(single, 0)!.message.buffer).toBe(single.buffer);
  });

  it("drops a message with a sequence gap", () => {
    const r = new MctpReassembler();
    const [a, , c] = fragmentMessage({ ...route, message: msg(150) });
    r.push(a!, 0);
    expect(r.push(c!, 0)).toBeNull();
    expect(r.drops["seq-gap"]).toBe(1);
    expect(r.pendingCount()).toBe(0);
  });

  it("keeps messages with different tags apart when interleaved, and accepts a start at any seq", () => {
    const r = new MctpReassembler();
    const a = fragmentMessage({ ...route, tag: 1, message: msg(100, 1) });
    const b = fragmentMessage({ ...route, tag: 2, message: msg(100, 0), startSeq: 2 });
    expect(r.push(a[0]!, 0)).toBeNull();
    expect(r.push(b[0]!, 0)).toBeNull();
    expect(r.push(a[1]!, 0)!.messageType).toBe(1);
    expect(r.push(b[1]!, 0)!.messageType).toBe(0);
  });

  it("restarts on a new SOM and counts the abandoned message", () => {
    const r = new MctpReassembler();
    const a = fragmentMessage({ ...route, message: msg(100) });
    r.push(a[0]!, 0);
    r.push(a[0]!, 0);
    expect(toHex(r.push(a[1]!, 0)!.message)).toBe(toHex(msg(100)));
    expect(r.drops.restarted).toBe(1);
  });

  it("expires a partial message after 6 s on the injected clock", () => {
    const r = new MctpReassembler();
    const a = fragmentMessage({ ...route, message: msg(100) });
    r.push(a[0]!, 1000);
    expect(r.expire(6999)).toBe(0);
    expect(r.expire(7000)).toBe(1);
    expect(r.push(a[1]!, 7000)).toBeNull();
    expect(r.drops).toMatchObject({ expired: 1, "no-som": 1 });
    // A stale partial is expired when its own key is touched, too.
    r.push(a[0]!, 0);
    expect(r.push(a[1]!, 6000)).toBeNull();
    expect(r.drops.expired).toBe(2);
  });

  it("caps a message at 64 KiB", () => {
    const r = new MctpReassembler();
    const packets = fragmentMessage({ ...route, message: msg(65 * 1024) });
    expect(packets.map((p) => r.push(p, 0)).every((x) => x === null)).toBe(true);
    expect(r.drops["too-large"]).toBe(1);
    expect(r.pendingCount()).toBe(0);
  });

  it("counts bad headers instead of throwing", () => {
    const r = new MctpReassembler();
    expect(r.push(Uint8Array.of(1, 2), 0)).toBeNull();
    expect(r.push(Uint8Array.of(2, 8, 9, 0xc0, 1), 0)).toBeNull();
    expect(r.drops["bad-header"]).toBe(2);
  });

  it("fragment then reassemble is the identity for any message and MTU", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), fc.integer({ min: 1, max: 250 }), fc.integer({ min: 0, max: 3 }), (m, mtu, startSeq) => {
        const r = new MctpReassembler();
        const out = fragmentMessage({ ...route, message: m, mtu, startSeq }).map((p) => r.push(p, 0));
        expect(toHex(out.at(-1)!.message)).toBe(toHex(m));
        expect(out.slice(0, -1).every((x) => x === null)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("encodes and decodes a packet header field for field", () => {
    const h = { dest: 8, src: 9, som: true, eom: false, seq: 2, tagOwner: false, tag: 5 };
    expect(decodeMctpPacket(encodeMctpPacket(h, Uint8Array.of(1))).header).toEqual(h);
  });
});
