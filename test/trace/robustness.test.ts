import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeInputs } from "../../src/cli/decode.js";
import { INPUT_FORMATS } from "../../src/trace/trace-event.js";
import { cliPath } from "../support/host-sim-process.js";
import { enc, render } from "./samples.js";

describe("malformed input", () => {
  it("turns each bad line into a record with its raw bytes and the reason, and goes on", () => {
    const { records, summary } = decodeInputs([
      enc("pldmtool: Tx: 80 00 0\npldmtool: Tx: 80 00 04\nRx: 00 00 04 00 1d 00\nRequest Message:\nnot hex at all\n"),
    ]);
    expect(records.map((r) => r.error)).toEqual(["odd number of hex digits (5)", null, "pldm truncated: needs 8 bytes, has 2", "no hex line after the header"]);
    expect(records[2]!.raw).toBe("000004001d00");
    expect(summary.decodeErrors).toBe(3);
  });

  it("reports damaged serial frames, a cut capture and a message missing its last packet", () => {
    const serial = render.serialBinary();
    const damaged = Uint8Array.from(serial);
    damaged[8] = damaged[8]! ^ 0xff;
    expect(decodeInputs([damaged]).records[0]!.error).toBe("serial bad-fcs");

    const pcap = render.pcapng();
    const cut = decodeInputs([pcap.subarray(0, pcap.length - 30)], "pcap").records;
    expect(cut.map((r) => r.error ?? r.pldm?.commandName).slice(-2)).toEqual(["WriteFileByType", "capture block of type 6 with bad length 68 at byte 812"]);

    const lines = render.mctpHex().split("\n");
    lines.splice(8, 1); // the last of the three packets of the long WriteFileByType
    const incomplete = decodeInputs([enc(lines.join("\n"))], "mctp-hex").records;
    expect(incomplete.map((r) => r.error).filter(Boolean)).toEqual(["input ended with 1 MCTP message(s) incomplete"]);
  });

  it("never throws, whatever the bytes and whatever --input says", () => {
    const seeds = [render.pcapng(), render.pcapSll(), render.serialBinary(), enc(render.flightRecorder()), enc(render.mctpHex())];
    const mutated = fc
      .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat())
      .map(([s, edits, cut]) => {
        const b = Uint8Array.from(s);
        for (const [at, v] of edits) b[at % b.length] = v;
        return b.subarray(0, b.length - (cut % Math.max(1, b.length >> 2)));
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated), fc.constantFrom(...INPUT_FORMATS), (bytes, input) => {
        const { records } = decodeInputs([bytes], input);
        for (const r of records) expect(r.error === null || typeof r.raw === "string").toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it("makes --strict exit 1 when there was any bad record, 0 when none", () => {
    const run = (text: string) => spawnSync(process.execPath, [cliPath, "decode", "--strict"], { input: text });
    const bad = run("pldmtool: Tx: 80 00 0\n");
    expect(bad.status).toBe(1);
    expect(bad.stderr.toString()).toContain("1 record(s) had errors");
    expect(run(render.pldmtool()).status).toBe(0);
  });
});
