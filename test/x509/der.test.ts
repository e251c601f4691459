import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { childrenOf, DerError, readBoolean, readNode, readOid, readSingle, readTime, Tag } from "../../src/x509/der.js";

const bytes = (...b: number[]) => new Uint8Array(b);

describe("the DER walker", () => {
  it("reads short and long definite lengths and the children of a SEQUENCE", () => {
    const long = new Uint8Array([0x04, 0x81, 0x80, ...new Uint8Array(0x80)]);
    expect(readSingle(long, "octets").content.length).toBe(0x80);
    const sequence = readSingle(bytes(0x30, 0x06, 0x02, 0x01, 0x05, 0x01, 0x01, 0xff), "sequence");
    expect(childrenOf(sequence).map((n) => n.tag)).toEqual([Tag.integer, Tag.boolean]);
  });

  it.each([
    ["BER's indefinite length", bytes(0x30, 0x80, 0x00, 0x00)],
    ["a long form for a short length", bytes(0x04, 0x81, 0x01, 0x00)],
    ["a leading zero length octet", bytes(0x04, 0x82, 0x00, 0x80, ...new Uint8Array(0x80))],
    ["a length past the data", bytes(0x04, 0x05, 0x00)],
    ["a truncated header", bytes(0x04)],
    ["a multi-byte tag", bytes(0x1f, 0x81, 0x01, 0x00)],
    ["five length octets", bytes(0x04, 0x85, 0, 0, 0, 0, 1, 0)],
  ])("refuses %s", (_, der) => {
    expect(() => readSingle(der, "element")).toThrow(DerError);
  });

  it("refuses trailing bytes and a child that overruns its parent", () => {
    expect(() => readSingle(bytes(0x05, 0x00, 0x00), "null")).toThrow(/1 bytes after the null/);
    expect(() => childrenOf(readNode(bytes(0x30, 0x03, 0x04, 0x05, 0x00)))).toThrow(DerError);
    expect(() => childrenOf(readNode(bytes(0x04, 0x00)))).toThrow(/not constructed/);
  });

  it("reads object identifiers as openssl names them, and refuses padded or cut ones", () => {
    // 1.2.840.113549.1.1.11 (sha256WithRSAEncryption) and 2.5.29.15 (keyUsage).
    expect(readOid(readNode(bytes(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b)), "oid")).toBe("1.2.840.113549.1.1.11");
    expect(readOid(readNode(bytes(0x06, 0x03, 0x55, 0x1d, 0x0f)), "oid")).toBe("2.5.29.15");
    expect(readOid(readNode(bytes(0x06, 0x02, 0x88, 0x37)), "oid")).toBe("2.999");
    expect(() => readOid(readNode(bytes(0x06, 0x02, 0x80, 0x01)), "oid")).toThrow(/padded/);
    expect(() => readOid(readNode(bytes(0x06, 0x01, 0x86)), "oid")).toThrow(/truncated/);
    expect(() => readOid(readNode(bytes(0x06, 0x00)), "oid")).toThrow(/truncated/);
  });

  it("takes only 0x00 and 0xFF as booleans", () => {
    expect(readBoolean(readNode(bytes(0x01, 0x01, 0xff)), "b")).toBe(true);
    expect(readBoolean(readNode(bytes(0x01, 0x01, 0x00)), "b")).toBe(false);
    expect(() => readBoolean(readNode(bytes(0x01, 0x01, 0x01)), "b")).toThrow(DerError);
  });

  it("reads RFC 5280 times, with the two-digit year pivot at 50, and refuses others", () => {
    const time = (tag: number, text: string) => readTime(readNode(bytes(tag, text.length, ...Buffer.from(text))), "time");
    expect(time(Tag.utcTime, "491231235959Z").toISOString()).toBe("2049-12-31T23:59:59.000Z");
    expect(time(Tag.utcTime, "500101000000Z").toISOString()).toBe("1950-01-01T00:00:00.000Z");
    expect(time(Tag.generalizedTime, "20500101000000Z").toISOString()).toBe("2050-01-01T00:00:00.000Z");
    for (const [tag, text] of [
      [Tag.utcTime, "500101000000+0100"],
      [Tag.utcTime, "5001010000Z"],
      [Tag.utcTime, "500231000000Z"],
      [Tag.generalizedTime, "500101000000Z"],
      [Tag.generalizedTime, "20500101000000.5Z"],
      [Tag.octetString, "500101000000Z"],
    ] as const) {
      expect(() => time(tag, text), text).toThrow(DerError);
    }
  });

  it("never throws anything but DerError and never reads outside its input", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (der) => {
        try {
          const node = readSingle(der, "element");
          expect(node.bytes.length).toBe(der.length);
          if (node.tag & 0x20) for (const child of childrenOf(node)) expect(child.bytes.byteOffset).toBeGreaterThanOrEqual(der.byteOffset);
        } catch (error) {
          expect(error).toBeInstanceOf(DerError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
