/**
 * DMA emulated on a file: host-sim creates the file as its "host memory" and addresses
 * are byte offsets in it. Each transfer opens the file, checks the window against its
 * size, and reads or writes only inside it, so a host that recreates the file on reboot
 * (or has not made it yet) is seen as it is now.
 */
import { open, type FileHandle } from "node:fs/promises";
import { checkDmaWindow, DmaError, type DmaEngine } from "./dma-engine.js";

export class EmulatedDmaEngine implements DmaEngine {
  constructor(readonly path: string) {}

  get description(): string {
    return `emulated host memory ${this.path}`;
  }

  fromHost(address: bigint, length: number): Promise<Uint8Array> {
    return this.withRegion("r", address, length, async (fd, at) => {
      const out = new Uint8Array(length);
      const { bytesRead } = await fd.read(out, 0, length, at);
      if (bytesRead !== length) throw new DmaError("io", `read ${bytesRead} of ${length} bytes`);
      return out;
    });
  }

  toHost(address: bigint, data: Uint8Array): Promise<void> {
    return this.withRegion("r+", address, data.length, async (fd, at) => {
      const { bytesWritten } = await fd.write(data, 0, data.length, at);
      if (bytesWritten !== data.length) throw new DmaError("io", `wrote ${bytesWritten} of ${data.length} bytes`);
    });
  }

  /** The region's size now (0 when it does not exist yet). */
  async size(): Promise<number> {
    try {
      const fd = await open(this.path, "r");
      try {
        return (await fd.stat()).size;
      } finally {
        await fd.close();
      }
    } catch {
      return 0;
    }
  }

  private async withRegion<T>(flags: string, address: bigint, length: number, fn: (fd: FileHandle, at: number) => Promise<T>): Promise<T> {
    let fd;
    try {
      fd = await open(this.path, flags);
    } catch (e) {
      throw new DmaError("no-region", `host memory ${this.path}: ${(e as Error).message}`);
    }
    try {
      checkDmaWindow(address, length, (await fd.stat()).size);
      return await fn(fd, Number(address));
    } finally {
      await fd.close();
    }
  }
}

/** Creates (or empties) a zero-filled region of `size` bytes: the host's side of the emulation. */
export async function createRegion(path: string, size: number): Promise<EmulatedDmaEngine> {
  const fd = await open(path, "w");
  try {
    await fd.truncate(size);
  } finally {
    await fd.close();
  }
  return new EmulatedDmaEngine(path);
}
