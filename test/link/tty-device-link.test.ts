import { afterEach, describe, expect, it } from "vitest";
import { openTtyDevice, TtyDeviceError, type TtyDeviceLink } from "../../src/link/tty-device-link.js";
import { allByteValues, byteRounds, collect, writeInChunks } from "../support/link-bytes.js";
import { startPtyPair, type PtyPair } from "../support/link-pty-pair.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function pairedLinks(): Promise<{ pair: PtyPair; a: TtyDeviceLink; b: TtyDeviceLink }> {
  const pair = startPtyPair();
  cleanups.push(() => pair.stop());
  const a = await openTtyDevice(pair.paths[0], { baud: 115200 });
  cleanups.push(() => a.close());
  const b = await openTtyDevice(pair.paths[1]);
  cleanups.push(() => b.close());
  return { pair, a, b };
}

describe("TtyDeviceLink over a pty pair wired back to back", () => {
  it("carries every byte value both ways, in several chunkings", async () => {
    const { pair, a, b } = await pairedLinks();
    expect(a.description).toBe(`tty ${pair.paths[0]}`);
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      for (const sizes of [[1], [7, 64], [2048]]) {
        const sent = byteRounds(8);
        const got = collect(to, sent.length);
        writeInChunks(from, sent, sizes);
        expect(await got).toEqual(sent);
      }
    }
  });

  it("close() resolves promptly, drops later writes, and the pair can be stopped after", async () => {
    const { pair, a, b } = await pairedLinks();
    const got = collect(b, 256);
    a.write(allByteValues());
    await got;
    await Promise.all([a.close(), b.close()]); // a hang here is the thread-pool-read bug this guards against
    expect(a.isOpen || b.isOpen).toBe(false);
    expect(() => a.write(Uint8Array.of(1))).not.toThrow();
    expect(a.droppedBytes).toBe(1);
    await pair.stop();
  });

  it("closes with a hang-up when the other side of the pty goes away", async () => {
    const { pair, a } = await pairedLinks();
    const closed = new Promise<string>((resolve) => a.on("close", resolve));
    await pair.stop();
    expect(await closed).toMatch(/hang-up|end of input/);
  });

  it("refuses what is not a terminal, with a typed reason", async () => {
    await expect(openTtyDevice("/dev/null")).rejects.toMatchObject({ reason: "not-a-tty" });
    const missing = openTtyDevice("/dev/does-not-exist-hostbridge");
    await expect(missing).rejects.toBeInstanceOf(TtyDeviceError);
    await expect(missing).rejects.toMatchObject({ reason: "open-failed" });
  });
});
