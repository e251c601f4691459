import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/os/clock.js";
import { createMemoryLinkPair } from "../../src/link/memory-link.js";
import { pace } from "../../src/link/paced-link.js";
import { byteRounds, collect } from "../support/link-bytes.js";

// MemoryLink delivers on a later macrotask; let it run after each clock step.
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("PacedLink", () => {
  it("1152 bytes at 115200 baud take about 100 ms of real time", async () => {
    const [a, b] = createMemoryLinkPair();
    const line = pace(a, { baud: 115200 });
    const sent = byteRounds(4).subarray(0, 1152);
    const got = collect(b, sent.length);
    const started = performance.now();
    line.write(sent.subarray(0, 500));
    line.write(sent.subarray(500));
    expect(await got).toEqual(sent);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1000); // loose: only catches "not paced at all" in the other direction
    await line.close();
  });

  it("with a manual clock, no byte is delivered before its last bit has left", async () => {
    const clock = new ManualClock(1000);
    const [a, b] = createMemoryLinkPair();
    const line = pace(a, { baud: 9600, clock }); // 960 bytes/s: byte k done at k * 1.0417 ms
    const atB: number[] = [];
    b.on("data", (chunk) => atB.push(...chunk));
    const sent = byteRounds(1).subarray(0, 100);
    line.write(sent.subarray(0, 40));
    line.write(sent.subarray(40));
    await settle();
    expect(atB).toHaveLength(0);
    for (let t = 1; t <= 110; t++) {
      clock.advance(1);
      await settle();
      expect(atB.length, `at ${t} ms`).toBe(Math.min(100, Math.floor((t * 9600) / 10_000)));
    }
    expect(atB).toEqual([...sent]);
    expect(line.pendingBytes).toBe(0);
  });

  it("an idle line does not bank time: a later write is paced from when it was made", async () => {
    const clock = new ManualClock(0);
    const [a, b] = createMemoryLinkPair();
    const line = pace(a, { baud: 10_000, clock }); // exactly 1 ms per byte
    const atB: number[] = [];
    b.on("data", (chunk) => atB.push(...chunk));
    clock.advance(500);
    line.write(Uint8Array.of(1, 2, 3));
    clock.advance(2);
    await settle();
    expect(atB).toEqual([1, 2]);
    clock.advance(1);
    await settle();
    expect(atB).toEqual([1, 2, 3]);
  });

  it("close() drains queued bytes at line speed, then closes; later writes are dropped", async () => {
    const clock = new ManualClock(0);
    const [a, b] = createMemoryLinkPair();
    const line = pace(a, { baud: 10_000, clock });
    const atB: number[] = [];
    b.on("data", (chunk) => atB.push(...chunk));
    const bClosed = new Promise<string>((resolve) => b.on("close", resolve));
    line.write(new Uint8Array(20).fill(7));
    let closed = false;
    const closing = line.close().then(() => (closed = true));
    line.write(Uint8Array.of(1, 2, 3));
    expect(line.droppedBytes).toBe(3);
    clock.advance(10);
    await settle();
    expect(closed).toBe(false);
    expect(atB).toHaveLength(10);
    clock.advance(10);
    await closing;
    expect(atB).toEqual(new Array(20).fill(7));
    expect(await bClosed).toBe("peer closed");
  });

  it("rejects a baud rate that is not a positive number", () => {
    const [a] = createMemoryLinkPair();
    expect(() => pace(a, { baud: 0 })).toThrow(RangeError);
    expect(() => pace(a, { baud: Number.NaN })).toThrow(RangeError);
  });
});
