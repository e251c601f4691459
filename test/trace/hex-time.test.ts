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
