import { describe, expect, it } from "vitest";
import { decodeInputs } from "../../src/cli/decode.js";
import { detectInput } from "../../src/trace/trace-decoder.js";
import type { InputFormat } from "../../src/trace/trace-event.js";
import { enc, EXCHANGE, render, T0 } from "./samples.js";

const pldmRaws = (b: Uint8Array, input: InputFormat = "auto") => {
  const { records, summary } = decodeInputs([b], input);
  expect(records.filter((r) => r.error)).toEqual([]);
  expect(summary.decodeErrors).toBe(0);
  return records.filter((r) => r.pldm).map((r) => r.raw);
};

const ALL = EXCHANGE.map((m) => m.hex);
const BMC_STARTED = [0, 1, 4, 5].map((i) => EXCHANGE[i]!.hex);

describe("every input format yields the same messages", () => {
  const cases: [string, () => Uint8Array, string, InputFormat, string[]][] = [
    ["pldmtool Tx:/Rx: lines", () => enc(render.pldmtool()), "pldmtool", "pldmtool", ALL],
    ["pldmd lines inside journald", () => enc(render.journald()), "pldmtool", "pldmtool", ALL],
    ["lines with the older [EID][01] prefix", () => enc(render.legacyPrefix()), "pldmtool", "pldmtool", ALL],
    ["Request Message: / Response Message: blocks", () => enc(render.oldBlocks()), "pldmtool", "pldmtool", BMC_STARTED],
    ["the pldmd flight-recorder dump", () => enc(render.flightRecorder()), "pldmtool", "pldmtool", ALL],
    ["bare PLDM hex lines", () => enc(render.pldmHex()), "hex", "pldm-hex", ALL],
    ["MCTP packet hex lines", () => enc(render.mctpHex()), "hex", "mctp-hex", ALL],
    ["serial frame hex lines", () => enc(render.serialHex()), "serial-hex", "serial-hex", ALL],
    ["a raw binary serial capture", () => render.serialBinary(), "serial", "serial", ALL],
    ["pcapng with SLL2", () => render.pcapng(), "pcap", "pcap", ALL],
    ["classic pcap with SLL", () => render.pcapSll(), "pcap", "pcap", ALL],
  ];
  for (const [name, make, detected, forced, expected] of cases) {
    it(`${name}: detected as ${detected}, same messages detected or forced`, () => {
      const b = make();
      expect(detectInput(b)).toBe(detected);
      expect(pldmRaws(b)).toEqual(expected);
      expect(pldmRaws(b, forced)).toEqual(expected);
    });
  }

  it("keeps direction and the trace's timestamps", () => {
    const journald = decodeInputs([enc(render.journald())]).records;
    expect(journald.map((r) => r.dir)).toEqual(EXCHANGE.map((m) => m.dir));
    expect(journald[3]!.time).toBe("Apr 03 20:27:21.041500");
    const flight = decodeInputs([enc(render.flightRecorder())]).records;
    expect(flight[1]!.time).toBe("2025-04-03T20:27:21.012000Z");
    const pcap = decodeInputs([render.pcapSll()]).records;
    expect(pcap[3]!.time).toBe("2025-04-03T20:27:21.041500Z");
    expect(pcap.map((r) => [r.dir, r.src, r.dest])).toEqual(EXCHANGE.map((m) => (m.dir === "tx" ? ["tx", 8, 9] : ["rx", 9, 8])));
    expect(new Date(pcap[0]!.time!).getTime()).toBe(T0);
  });

  it("reads the [EID][01] prefix as the far end's EID", () => {
    const r = decodeInputs([enc(render.legacyPrefix())]).records;
    expect([r[0]!.dest, r[1]!.src]).toEqual([9, 9]);
  });
});

describe("the protocol reference's public examples", () => {
  it("decodes pldmtool's GetPLDMTypes exchange", () => {
    const { records } = decodeInputs([enc("pldmtool: Tx: 80 00 04 \npldmtool: Rx: 00 00 04 00 1d 00 00 00 00 00 00 80 \n")]);
    expect(records.map((r) => r.pldm?.commandName)).toEqual(["GetPLDMTypes", "GetPLDMTypes"]);
    expect(records[1]!.pldm!.fields).toEqual({ types: [0, 2, 3, 4, 63] });
    expect(records[1]!.exchange).toMatchObject({ role: "response", peer: 0 });
  });

  it("decodes the journald example line", () => {
    const { records } = decodeInputs([enc("Apr 03 20:27:21 host pldmd[3179]: Tx: 80 00 04 \n")]);
    expect(records[0]).toMatchObject({ dir: "tx", time: "Apr 03 20:27:21", pldm: { commandName: "GetPLDMTypes", request: true } });
  });

  it("decodes the public serial vectors", () => {
    const { records } = decodeInputs([enc("7e0108010908c8018000020ca67e\n7e010a010809c001000002000113137e\n")]);
    expect(records.map((r) => [r.src, r.dest, r.tagOwner, r.pldm?.commandName])).toEqual([
      [8, 9, true, "GetTID"],
      [9, 8, false, "GetTID"],
    ]);
  });

  it("tells an MCTP packet from a PLDM response with instance id 1 line by line", () => {
    const { records } = decodeInputs([enc("013f0b00020000004142\n010908c801800002\n")]);
    expect(records[0]!.pldm).toMatchObject({ instanceId: 1, commandName: "ReadFileByType" });
    expect(records[1]).toMatchObject({ src: 8, dest: 9, pldm: { commandName: "GetTID" } });
  });
});
