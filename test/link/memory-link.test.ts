import { describe, expect, it } from "vitest";
import { createMemoryLinkPair } from "../../src/link/memory-link.js";
import { allByteValues, collect } from "../support/link-bytes.js";

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("MemoryLinkPair", () => {
  it("delivers asynchronously, in order, both ways", async () => {
    const [a, b] = createMemoryLinkPair();
    const atB: number[] = [];
    b.on("data", (chunk) => atB.push(...chunk));
    a.write(Uint8Array.of(1, 2));
    a.write(Uint8Array.of(3));
    expect(atB).toEqual([]); // nothing arrives inside write()
    await nextTurn();
    expect(atB).toEqual([1, 2, 3]);

    const back = collect(a, 256);
    b.write(allByteValues());
    expect(await back).toEqual(allByteValues());
  });

  it("copies written bytes, so the writer may reuse its buffer", async () => {
    const [a, b] = createMemoryLinkPair();
    const got = collect(b, 4);
    const buffer = Uint8Array.of(9, 9, 9, 9);
    a.write(buffer);
    buffer.fill(0);
    expect(await got).toEqual(Uint8Array.of(9, 9, 9, 9));
  });

  it("closing one end delivers what is in flight, then closes the other", async () => {
    const [a, b] = createMemoryLinkPair();
    const events: string[] = [];
    b.on("data", (chunk) => events.push(`data ${chunk.length}`));
    b.on("close", (reason) => events.push(`close ${reason}`));
    a.on("close", (reason) => events.push(`A close ${reason}`));
    a.write(new Uint8Array(5));
    await a.close();
    expect(events).toEqual(["data 5", "close peer closed", "A close closed locally"]);
    expect(a.isOpen).toBe(false);
    expect(b.isOpen).toBe(false);
  });

  it("counts writes after close as dropped instead of throwing, and close is idempotent", async () => {
    const [a, b] = createMemoryLinkPair();
    let closes = 0;
    a.on("close", () => closes++);
    await a.close();
    await a.close();
    expect(() => a.write(new Uint8Array(7))).not.toThrow();
    expect(() => b.write(new Uint8Array(2))).not.toThrow();
    expect(a.droppedBytes).toBe(7);
    expect(b.droppedBytes).toBe(2);
    expect(closes).toBe(1);
  });
});
