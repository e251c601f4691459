import { describe, expect, it } from "vitest";
import { AdaptiveChunk } from "../../src/files/adaptive-chunk.js";

describe("AdaptiveChunk", () => {
  it("sends the whole file while requests are answered", () => {
    const c = new AdaptiveChunk();
    expect(c.next(1200)).toBe(1200);
    c.answered();
    expect(c.next(5000)).toBe(5000);
  });

  it("halves what was tried on each unanswered request, down to min", () => {
    const c = new AdaptiveChunk({ min: 32 });
    const tried: number[] = [];
    for (let i = 0; i < 8; i++) {
      tried.push(c.next(1200));
      c.failed();
    }
    expect(tried).toEqual([1200, 600, 300, 150, 75, 37, 32, 32]);
  });

  it("doubles again after growAfter answered requests in a row, up to max; a failure resets the streak", () => {
    const c = new AdaptiveChunk({ max: 256, min: 16, growAfter: 3 });
    const tryOnce = (answered: boolean) => {
      c.next(100);
      if (answered) c.answered();
      else c.failed();
    };
    for (let i = 0; i < 4; i++) tryOnce(false);
    expect(c.current).toBe(16);
    c.next(100);
    c.answered();
    c.answered();
    c.failed(); // streak broken; what was tried (16) halves to min
    expect(c.current).toBe(16);
    for (let i = 0; i < 3; i++) tryOnce(true);
    expect(c.current).toBe(32);
    for (let i = 0; i < 30; i++) tryOnce(true);
    expect(c.current).toBe(256);
  });

  it("never asks for more than remains, nor less than one byte", () => {
    const c = new AdaptiveChunk({ max: 64 });
    expect(c.next(10)).toBe(10);
    expect(c.next(0)).toBe(1);
    c.next(10);
    c.failed(); // a short tail that failed shrinks the chunk to its half, not below min
    expect(c.current).toBe(32);
  });

  it("refuses settings that make no sense, and caps min at max", () => {
    expect(() => new AdaptiveChunk({ max: 0 })).toThrow(RangeError);
    expect(() => new AdaptiveChunk({ growAfter: 0 })).toThrow(RangeError);
    expect(new AdaptiveChunk({ max: 8, min: 32 }).settings.min).toBe(8);
  });
});
