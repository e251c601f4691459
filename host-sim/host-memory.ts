/**
 * The simulated host's memory that the BMC reaches by DMA: a file host-sim creates and
 * names (the daemon's --dma-region), cut into fixed slots so several transfers can each
 * stage their bytes at their own address. PHYP moves the bulk of a file this way and only
 * the tail in band.
 */
import { DMA_UNIT } from "../src/dma/dma-engine.js";
import { createRegion, type EmulatedDmaEngine } from "../src/dma/emulated-dma-engine.js";
import type { DmaStaging } from "../src/files/file-client.js";

export type TransferMode = "inband" | "dma" | "mixed";

/** mixed: DMA for the 4 KiB-aligned bulk, in band for the rest. */
export const MIXED_BULK_ALIGN = 4096;

export const DEFAULT_HOST_MEMORY_BYTES = 1 << 20;
const SLOT_BYTES = 64 * 1024;

/** How many leading bytes of a `length`-byte file a mode moves by DMA. */
export function dmaBulk(mode: TransferMode, length: number, direction: "read" | "write"): number {
  if (mode === "inband") return 0;
  if (mode === "mixed") return length - (length % MIXED_BULK_ALIGN);
  // A read may ask past the end in whole units (the BMC cuts it to the file); a write may not.
  return direction === "read" ? Math.ceil(length / DMA_UNIT) * DMA_UNIT : length - (length % DMA_UNIT);
}

export class HostMemory {
  readonly stats = { dmaTransfers: 0, bytesByDma: 0, slotsExhausted: 0 };
  private readonly free: number[];

  private constructor(
    private readonly region: EmulatedDmaEngine,
    readonly size: number,
  ) {
    this.free = Array.from({ length: Math.floor(size / SLOT_BYTES) }, (_, i) => i);
  }

  static async create(path: string, size = DEFAULT_HOST_MEMORY_BYTES): Promise<HostMemory> {
    if (size < SLOT_BYTES || size % SLOT_BYTES !== 0) throw new Error(`host memory size must be a multiple of ${SLOT_BYTES}, got ${size}`);
    return new HostMemory(await createRegion(path, size), size);
  }

  get path(): string {
    return this.region.path;
  }

  /**
   * A staging buffer for one file transfer in `mode`, or null when every slot is taken
   * (the caller then goes in band). Give it back with release().
   */
  take(mode: TransferMode): (DmaStaging & { release(): void }) | null {
    if (mode === "inband") return null;
    const slot = this.free.pop();
    if (slot === undefined) {
      this.stats.slotsExhausted++;
      return null;
    }
    const address = BigInt(slot * SLOT_BYTES);
    let released = false;
    const count = (n: number) => {
      this.stats.dmaTransfers++;
      this.stats.bytesByDma += n;
    };
    return {
      address,
      bulk: (length, direction) => Math.min(SLOT_BYTES, dmaBulk(mode, length, direction)),
      write: async (data) => {
        await this.region.toHost(address, data);
        count(data.length);
      },
      read: async (length) => {
        const data = length > 0 ? await this.region.fromHost(address, length) : new Uint8Array(0);
        count(length);
        return data;
      },
      release: () => {
        if (released) return;
        released = true;
        this.free.push(slot);
      },
    };
  }
}
