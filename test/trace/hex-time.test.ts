import { describe, expect, it } from "vitest";
import { HexError, parseHex } from "../../src/trace/hex.js";
import { timeToMs } from "../../src/trace/time.js";

const bytes = (...b: number[]) => Uint8Array.from(b);

describe("parseHex", () => {
  it("reads every shape people paste, each result its own bytes", () => {
    expect(parseHex("85 3f 0a ")).toEqual(bytes(0x85, 0x3f, 0x0a));
    expect(parseHex("853F0a")).toEqual(bytes(0x85, 0x3f, 0x0a));
    expect(parseHex("0x85,0x3f; 0X0a")).toEqual(bytes(0x85, 0x3f, 0x0a));
    expect(parseHex("85:3f-0a\t# comment 12")).toEqual(bytes(0x85, 0x3f, 0x0a));
    expect(parseHex("Tx: 85 3f", 4)).toEqual(bytes(0x85, 0x3f));
    expect(parseHex("")).toEqual(bytes());
    // A "0" at the end is a digit, not half a "0x".
    expect(parseHex("85 0 0")).toEqual(bytes(0x85, 0x00));
    const a = parseHex("01 02");
    const b = parseHex("03 04");
    expect([a, b]).toEqual([bytes(1, 2), bytes(3, 4)]);
  });

  it("reads a long line and then a short one without leftovers of the first", () => {
    const long = Array.from({ length: 3000 }, (_, i) => (i & 0xff).toString(16).padStart(2, "0")).join(" ");
    const first = parseHex(long);
    expect(first.length).toBe(3000);
    expect(first[2999]).toBe(2999 & 0xff);
    expect(parseHex("ab cd")).toEqual(bytes(0xab, 0xcd));
  });

  it("reads pldmd's spaced bytes of any length, and any break in that shape, as the pairs they are", () => {
    for (let n = 0; n <= 30; n++) {
      const want = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
      const hex = Array.from(want, (b) => b.toString(16).padStart(2, "0"));
      expect(parseHex(hex.join(" "))).toEqual(want);
      expect(parseHex(`${hex.join(" ")} `.toUpperCase())).toEqual(want);
      // Another separator, a doubled space or a run without spaces anywhere in a line.
      for (let at = 1; at < n; at++) {
        for (const sep of ["-", "  ", "", ",", "\t"]) expect(parseHex([hex.slice(0, at).join(" "), hex.slice(at).join(" ")].join(sep))).toEqual(want);
      }
      // A character that is not hex at any place is refused.
      const text = `${hex.join(" ")} `;
      for (let at = 0; at < text.length; at++) expect(() => parseHex(`${text.slice(0, at)}g${text.slice(at + 1)}`)).toThrow(HexError);
    }
  });

  it("refuses what is not hex, naming it", () => {
    expect(() => parseHex("85 3g")).toThrow(HexError);
    expect(() => parseHex("85 3g")).toThrow('not hex: "85 3g"');
    expect(() => parseHex("85 3")).toThrow("odd number of hex digits (3)");
    expect(() => parseHex("850")).toThrow("odd number of hex digits (3)");
  });
});

describe("timeToMs", () => {
  it("reads each time on its own, whatever came before it", () => {
    const t = Date.UTC(2025, 3, 3, 20, 27, 21);
    expect(timeToMs("2025-04-03T20:27:21.5Z")).toBe(t + 500);
    expect(timeToMs("2025-04-03T20:27:21.25+0100")).toBe(t - 3_600_000 + 250);
    expect(timeToMs("2025-04-03 20:27:21.125")).toBe(t + 125);
    expect(timeToMs("2025-04-03T20:27:22Z")).toBe(t + 1000);
    expect(timeToMs("2025-04-03T20:27:21.000001Z")).toBe(t + 0.001);
    expect(timeToMs("2025-13-03T20:27:21Z")).toBeNull();
    expect(timeToMs("2025-04-03T20:27:21Z")).toBe(t);
    expect(timeToMs("Apr 03 20:27:21.5")).toBe(Date.UTC(2000, 3, 3, 20, 27, 21) + 500);
  });
});
