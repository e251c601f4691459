/** The writer's plain constants and the reader's binary-parser records describe the same bytes. */
import { describe, expect, it } from "vitest";
import { BLOCK_HEAD_SIZE, PCAPNG_ENHANCED_PACKET_SIZE, PCAPNG_INTERFACE_SIZE, PCAPNG_OPTION_HEAD_SIZE, SLL2_SIZE } from "../../src/trace/capture-constants.js";
import { parseCooked, pcapngBlockHeader, pcapngEnhancedPacket, pcapngInterface, pcapngOption } from "../../src/trace/capture-records.js";
import { pcapngPacket, pcapngPreamble } from "../../src/trace/pcapng-writer.js";

describe("capture constants", () => {
  it.each([
    ["block header", pcapngBlockHeader, BLOCK_HEAD_SIZE],
    ["interface description", pcapngInterface, PCAPNG_INTERFACE_SIZE],
    ["enhanced packet", pcapngEnhancedPacket, PCAPNG_ENHANCED_PACKET_SIZE],
    ["option header", pcapngOption, PCAPNG_OPTION_HEAD_SIZE],
  ])("the %s is as long as each parser reads, in either byte order", (_name, record, size) => {
    expect(record.little.size).toBe(size);
    expect(record.big.size).toBe(size);
  });

  it("the writer's records read back through the parsers", () => {
    const preamble = pcapngPreamble("x");
    const shbLength = pcapngBlockHeader.little.parse(preamble).totalLength;
    const idb = preamble.subarray(shbLength);
    expect(pcapngBlockHeader.little.parse(idb)).toMatchObject({ type: 1, totalLength: BLOCK_HEAD_SIZE + PCAPNG_INTERFACE_SIZE + 4 });
    expect(pcapngInterface.little.parse(idb.subarray(BLOCK_HEAD_SIZE))).toMatchObject({ linkType: 276, snapLen: 0 });
    const epb = pcapngPacket(Uint8Array.of(1, 0x09, 0x08, 0xc8, 0x01), 1500.5, "tx");
    const body = epb.subarray(BLOCK_HEAD_SIZE);
    expect(pcapngEnhancedPacket.little.parse(body)).toMatchObject({
      interfaceId: 0,
      tsHigh: 0,
      tsLow: 1_500_500,
      capturedLen: SLL2_SIZE + 5,
      originalLen: SLL2_SIZE + 5,
    });
    expect(parseCooked(276, body.subarray(PCAPNG_ENHANCED_PACKET_SIZE))).toEqual({ protocol: 0x00fa, packetType: 4, size: SLL2_SIZE });
  });
});
