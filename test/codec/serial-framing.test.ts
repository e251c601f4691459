import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMctpPacket } from "../../pldm-codec/mctp/packet.js";
import { decodePldmMessage } from "../../pldm-codec/pldm/message.js";
import { crc16Mcrf4xx, crc16Update } from "../../pldm-codec/serial/crc16.js";
import { encodeSerialFrame } from "../../pldm-codec/serial/frame-encoder.js";
import { SerialDeframer, type SerialEvent } from "../../pldm-codec/serial/serial-deframer.js";
import { fromHex, publicVectors, toHex } from "../support/vectors.js";

const frames = (evs: SerialEvent[]) => evs.filter((e) => e.kind === "frame").map((e) => toHex((e as { packet: Uint8Array }).packet));

function accountingHolds(d: SerialDeframer): void {
  const s = d.stats;
  expect(s.bytesIn).toBe(s.bytesInFrames + s.bytesInBadFrames + s.bytesSkipped + d.pendingBytes());
}

describe("DSP0253 serial framing", () => {
  it("computes the CRC-16/MCRF4XX check value", () => {
    expect(crc16Mcrf4xx(new TextEncoder().encode("123456789"))).toBe(0x6f91);
  });

  for (const v of publicVectors.serial) {
    it(`reproduces the public vector: ${v.name}`, () => {
      const d = new SerialDeframer();
      const evs = d.push(fromHex(v.hex));
      expect(evs).toHaveLength(1);
      const ev = evs[0]!;
      expect(ev.kind).toBe("frame");
      if (ev.kind !== "frame") return;
      const { header, body } = decodeMctpPacket(ev.packet);
      const want = v.expect[0]!;
      expect({ src: header.src, dest: header.dest, tag: header.tag, tagOwner: header.tagOwner }).toEqual({
        src: want.src,
        dest: want.dest,
        tag: want.tag,
        tagOwner: want.tagOwner,
      });
      expect(body[0]).toBe(1);
      const pldm = decodePldmMessage(body.subarray(1));
      expect(pldm.header).toMatchObject({ request: want.pldm.request, instanceId: want.pldm.instanceId, type: want.pldm.type, command: want.pldm.command });
      if (want.pldm.fields) expect(pldm.fields).toMatchObject(want.pldm.fields);
      expect(toHex(encodeSerialFrame(ev.packet))).toBe(v.hex);
    });
  }

  it("stuffs 7E and 7D in the packet only", () => {
    const packet = Uint8Array.of(0x01, 0x7e, 0x7d, 0x08, 0x7e);
    const f = encodeSerialFrame(packet);
    expect(toHex(f.subarray(0, 3))).toBe("7e0105");
    expect(toHex(f.subarray(3, 11))).toBe("017d5e7d5d087d5e");
    expect(f.at(-1)).toBe(0x7e);
    expect(frames(new SerialDeframer().push(f))).toEqual([toHex(packet)]);
  });

  it("refuses packets outside 4..68 bytes when encoding", () => {
    expect(() => encodeSerialFrame(new Uint8Array(3))).toThrow(/4..68/);
    expect(() => encodeSerialFrame(new Uint8Array(69))).toThrow(/4..68/);
  });

  it("drops a frame whose FCS does not match, and reports it", () => {
    const f = encodeSerialFrame(Uint8Array.of(1, 9, 8, 0xc8, 1, 0x80, 0, 2));
    f[f.length - 2] = (f[f.length - 2] ?? 0) ^ 0xff;
    const d = new SerialDeframer();
    const evs = d.push(f);
    expect(evs).toEqual([{ kind: "error", reason: "bad-fcs", raw: f }]);
    expect(d.stats.fcsErrors).toBe(1);
    accountingHolds(d);
  });

  it("accepts legacy zero and init-0 FCS only when told, and reports them", () => {
    const packet = Uint8Array.of(1, 9, 8, 0xc8, 1, 0x80, 0, 2);
    const good = encodeSerialFrame(packet);
    const zero = Uint8Array.from(good);
    zero[zero.length - 3] = 0;
    zero[zero.length - 2] = 0;
    const init0 = Uint8Array.from(good);
    const crc0 = crc16Update(crc16Update(0, Uint8Array.of(1, packet.length)), packet);
    init0[init0.length - 3] = crc0 >> 8;
    init0[init0.length - 2] = crc0 & 0xff;
    expect(new SerialDeframer().push(zero)[0]!.kind).toBe("error");
    const legacy = new SerialDeframer({ acceptLegacyFcs: true });
    const evs = legacy.push(Uint8Array.from([...zero, ...init0]));
    expect(evs.map((e) => (e.kind === "frame" ? e.fcs : e.reason))).toEqual(["legacy-zero", "legacy-init0"]);
    expect(legacy.stats.legacyFcsFrames).toBe(2);
  });

  it("skips idle flags and garbage, counts bad counts, and finds the next frame", () => {
    const a = encodeSerialFrame(Uint8Array.of(1, 9, 8, 0xc8, 1, 0x80, 0, 2));
    const stream = Uint8Array.from([0x7e, 0x7e, ...a, 0x11, 0x22, 0x7e, 0x01, 0x02, ...a]);
    const d = new SerialDeframer();
    const evs = d.push(stream);
    expect(evs.map((e) => (e.kind === "frame" ? "frame" : e.reason))).toEqual(["frame", "bad-count", "frame"]);
    expect(d.stats.bytesSkipped).toBe(4); // two idle flags, two garbage bytes
    expect(d.stats.resyncs).toBe(2);
    accountingHolds(d);
  });

  const packetArb = fc.uint8Array({ minLength: 4, maxLength: 68 });

  it("yields the same frames for any chunking of a stream", () => {
    fc.assert(
      fc.property(fc.array(packetArb, { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1 }), (packets, cuts) => {
        const stream = Uint8Array.from(packets.flatMap((p) => [...encodeSerialFrame(p)]));
        const whole = new SerialDeframer().push(stream);
        const d = new SerialDeframer();
        const pieces: SerialEvent[] = [];
        for (let o = 0, k = 0; o < stream.length; k++) {
          const len = cuts[k % cuts.length]!;
          pieces.push(...d.push(stream.subarray(o, o + len)));
          o += len;
        }
        expect(frames(pieces)).toEqual(packets.map(toHex));
        expect(frames(whole)).toEqual(packets.map(toHex));
        expect(pieces.map((e) => toHex(e.raw))).toEqual(whole.map((e) => toHex(e.raw)));
        accountingHolds(d);
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on random and mutated streams, and accounts for every byte", () => {
    const mutated = fc
      .tuple(
        fc.array(packetArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), { maxLength: 10 }),
      )
      .map(([packets, edits]) => {
        const bytes = packets.flatMap((p) => [...encodeSerialFrame(p)]);
        for (const [at, v, del] of edits) {
          if (del) bytes.splice(at % bytes.length, 1);
          else bytes[at % bytes.length] = v;
        }
        return Uint8Array.from(bytes);
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), mutated), fc.integer({ min: 1, max: 50 }), (stream, chunk) => {
        const d = new SerialDeframer({ acceptLegacyFcs: true });
        for (let o = 0; o < stream.length; o += chunk) d.push(stream.subarray(o, o + chunk));
        accountingHolds(d);
      }),
      { numRuns: 3000 },
    );
  });

  /** Frames of `packets` back to back, with the bytes [at, at + lost) of the stream removed; also says which frames those bytes hit. */
  function cut(packets: Uint8Array[], at: number, lost: number) {
    const encoded = packets.map((p) => encodeSerialFrame(p));
    const stream = Uint8Array.from(encoded.flatMap((f) => [...f]));
    const from = at % stream.length;
    const to = Math.min(stream.length, from + lost);
    const hit = new Set<number>();
    for (let k = 0, o = 0; k < encoded.length; o += encoded[k]!.length, k++) if (from < o + encoded[k]!.length && to > o) hit.add(k);
    return { stream: Uint8Array.from([...stream.subarray(0, from), ...stream.subarray(to)]), hit };
  }

  const pushInChunks = (d: SerialDeframer, stream: Uint8Array, chunk: number) => {
    const evs: SerialEvent[] = [];
    for (let o = 0; o < stream.length; o += chunk) evs.push(...d.push(stream.subarray(o, o + chunk)));
    return evs;
  };

  it("loses only the frame a lost byte was in, wherever the byte was and however the stream is chunked", () => {
    fc.assert(
      fc.property(fc.array(packetArb, { minLength: 2, maxLength: 8 }), fc.nat(), fc.integer({ min: 1, max: 80 }), (packets, at, chunk) => {
        const { stream, hit } = cut(packets, at, 1);
        const d = new SerialDeframer();
        const got = frames(pushInChunks(d, stream, chunk));
        const k = [...hit][0]!;
        const others = packets.filter((_, i) => i !== k).map(toHex);
        // A lost closing flag costs nothing: the next frame's opening flag closes it.
        const want = got.length === packets.length ? packets.map(toHex) : others;
        expect(got).toEqual(want);
        accountingHolds(d);
      }),
      { numRuns: 3000 },
    );
  });

  it("loses only the frames a lost run of bytes touched", () => {
    fc.assert(
      fc.property(
        fc.array(packetArb, { minLength: 2, maxLength: 8 }),
        fc.nat(),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 80 }),
        (packets, at, lost, chunk) => {
          const { stream, hit } = cut(packets, at, lost);
          const d = new SerialDeframer();
          const got = frames(pushInChunks(d, stream, chunk));
          const untouched = packets.filter((_, i) => !hit.has(i)).map(toHex);
          // Every untouched frame arrives, in order; a touched one only if the cut took nothing but its closing flag.
          expect(got.filter((h) => untouched.includes(h))).toEqual(untouched);
          expect(got.length - untouched.length).toBeLessThanOrEqual(1);
          accountingHolds(d);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("ends a frame cut short at the flag in its body, counts a resync, and reads the next frame from that flag", () => {
    const a = encodeSerialFrame(Uint8Array.of(1, 9, 8, 0xc8, 1, 0x80, 0, 2, 3, 4, 5, 6));
    const b = encodeSerialFrame(Uint8Array.of(1, 9, 8, 0xc8, 1, 0x80, 0, 9));
    const stream = Uint8Array.from([...a.subarray(0, 8), ...b]);
    for (const chunk of [1, 3, stream.length]) {
      const d = new SerialDeframer();
      const evs = pushInChunks(d, stream, chunk);
      expect(evs.map((e) => (e.kind === "frame" ? toHex(e.packet) : e.reason))).toEqual(["truncated", "01090 8c8018000 09".replace(/ /g, "")]);
      expect(toHex(evs[0]!.raw)).toBe(toHex(a.subarray(0, 8)));
      expect(d.stats).toMatchObject({ truncatedFrames: 1, resyncs: 1, goodFrames: 1 });
      accountingHolds(d);
    }
  });
});
