/**
 * The one seam between the BMC and host memory. pldmd moves the bulk of a file with the
 * ASPEED XDMA engine (/dev/aspeed-xdma): it writes {hostAddr u64, len u32, upstream u32}
 * to the device and copies through the device's mmap'd VGA window. Ours is an interface
 * with an emulated implementation (a file host-sim creates as its "host memory"); a real
 * XDMA implementation would sit beside it (docs/compatibility.md, "DMA").
 */

/** The engine moves 16-byte units: pldmd refuses other lengths before it asks the engine. */
export const DMA_UNIT = 16;

export type DmaRefusal = "empty" | "unaligned" | "out-of-region" | "no-region" | "io";

export class DmaError extends Error {
  override readonly name = "DmaError";
  constructor(
    readonly reason: DmaRefusal,
    message: string,
  ) {
    super(message);
  }
}

export interface DmaEngine {
  /** Copies host memory [address, address + length) to the BMC (WriteFileByTypeFromMemory). */
  fromHost(address: bigint, length: number): Promise<Uint8Array>;
  /** Copies data into host memory at address (ReadFileByTypeIntoMemory). */
  toHost(address: bigint, data: Uint8Array): Promise<void>;
  /** Where the engine reaches, for logs and status. */
  readonly description: string;
}

const U64_END = 1n << 64n;

/**
 * Refuses a window the engine must not touch: empty, not on a 16-byte boundary, wrapping
 * past 2^64, or reaching outside [0, regionSize). Nothing is read or written before this holds.
 */
export function checkDmaWindow(address: bigint, length: number, regionSize: number): void {
  if (!Number.isSafeInteger(length) || length <= 0) throw new DmaError("empty", `DMA length ${length} is not positive`);
  if (address < 0n || address >= U64_END) throw new DmaError("out-of-region", `address 0x${address.toString(16)} is not a u64`);
  if (address % BigInt(DMA_UNIT) !== 0n) throw new DmaError("unaligned", `address 0x${address.toString(16)} is not on a ${DMA_UNIT}-byte boundary`);
  const end = address + BigInt(length);
  if (end > U64_END) throw new DmaError("out-of-region", `address 0x${address.toString(16)} + ${length} wraps past 2^64`);
  if (end > BigInt(regionSize))
    throw new DmaError("out-of-region", `[0x${address.toString(16)}, 0x${end.toString(16)}) is outside the ${regionSize}-byte region`);
}
