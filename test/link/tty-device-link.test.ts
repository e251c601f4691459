import { afterEach, describe, expect, it } from "vitest";
import { openTtyDevice, TtyDeviceError, type TtyDeviceLink } from "../../src/link/tty-device-link.js";
import { allByteValues, byteRounds, collect, writeInChunks } from "../support/link-bytes.js";
import { startSocatPair, type SocatPair } from "../support/link-socat.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function socatLinks(): Promise<{ socat: SocatPair; a: TtyDeviceLink; b: TtyDeviceLink }> {
  const socat = await startSocatPair();
  cleanups.push(() => socat.stop());
  const a = await openTtyDevice(socat.paths[0], { baud: 115200 });
  cleanups.push(() => a.close());
  const b = await openTtyDevice(socat.paths[1]);
  cleanups.push(() => b.close());
  return { socat, a, b };
}

describe("TtyDeviceLink over a socat pty pair", () => {
  it("carries every byte value both ways, in several chunkings", async () => {
    const { socat, a, b } = await socatLinks();
    expect(a.description).toBe(`tty ${socat.paths[0]}`);
    for (const [from, to] of [[a, b], [b, a]] as const) {
      for (const sizes of [[1], [7, 64], [2048]]) {
        const sent = byteRounds(8);
        const got = collect(to, sent.length);
        writeInChunks(from, sent, sizes);
        expect(await got).toEqual(sent);
      }
    }
  });

  it("close() resolves promptly, drops later writes, and socat can be stopped after", async () => {
    const { socat, a, b } = await socatLinks();
    const got = collect(b, 256);
    a.write(allByteValues());
    await got;
    await Promise.all([a.close(), b.close()]); // a hang here is the thread-pool-read bug this guards against
    expect(a.isOpen || b.isOpen).toBe(false);
    expect(() => a.write(Uint8Array.of(1))).not.toThrow();
    expect(a.droppedBytes).toBe(1);
    await socat.stop();
    expect(socat.process.exitCode !== null || socat.process.signalCode !== null).toBe(true);
  });

  it("closes with a hang-up when the other side of the pty goes away", async () => {
    const { socat, a } = await socatLinks();
    const closed = new Promise<string>((resolve) => a.on("close", resolve));
    await socat.stop();
    expect(await closed).toMatch(/hang-up|end of input/);
  });

  it("refuses what is not a terminal, with a typed reason", async () => {
    await expect(openTtyDevice("/dev/null")).rejects.toMatchObject({ reason: "not-a-tty" });
    const missing = openTtyDevice("/dev/does-not-exist-hostbridge");
    await expect(missing).rejects.toBeInstanceOf(TtyDeviceError);
    await expect(missing).rejects.toMatchObject({ reason: "open-failed" });
  });
});
